from __future__ import annotations

import pytest

from tests.integration.api_stack import Api, api

pytestmark = pytest.mark.asyncio(loop_scope="session")
__all__ = ["api"]

IDEA = {
    "title": "Invoice triage",
    "problem_statement": "Invoices are routed by hand.",
    "business_goal": "Halve routing time.",
    "sponsor": "CFO",
    "owner": "owner",
}


async def test_smoke(api: Api):
    r = await api.post("/initiatives", "contributor", IDEA)
    print(r.status_code, r.text)
    assert r.status_code == 201
    body = r.json()
    d = await api.state(body["id"], body["position"])
    print(d)
    h = await api.http.get(api.url + "/health")
    print(h.status_code, h.text)
