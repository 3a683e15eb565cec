"""The role matrix: every endpoint called by every role and without a token.

No token -> 401; a role the endpoint does not allow -> 403 (agents never decide gates);
an allowed role -> 2xx where the initiative's state lets the command succeed, and for
stage work of a stage the initiative is not in, whatever the stage service answers
(404 "no poc is open"), which must not be 401 or 403.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import httpx
import pytest

from tests.integration.api_stack import USERS, Api, api
from tests.integration.test_api_lifecycle import IDEA

pytestmark = pytest.mark.asyncio(loop_scope="session")
__all__ = ["api"]

READ = set(USERS)
WORK = {"contributor", "owner", "admin", "agent"}
REVIEW = {"owner", "admin"}
DECIDE = {"committee", "committee2"}
STEWARD = {"owner", "committee", "committee2", "admin", "agent_committee"}  # not a vote
ADMIN = {"admin"}
SUB = {"url": "http://127.0.0.1:9/hook", "secret": "0123456789abcdef"}


@dataclass
class Endpoint:
    method: str
    path: str  # {iid} is replaced by a fresh or shared initiative
    allowed: set[str]
    body: dict[str, object] | None = None
    strict: bool = True  # allowed roles get 2xx (else: anything but 401/403)
    fresh_review: bool = False  # needs its own initiative with an open review
    params: dict[str, str] = field(default_factory=dict)


I = "/initiatives/{iid}"  # noqa: E741
ENDPOINTS = [
    Endpoint("POST", "/initiatives", WORK, IDEA),
    Endpoint("GET", "/initiatives", READ),
    Endpoint("GET", I, READ),
    Endpoint("GET", f"{I}/events", READ),
    Endpoint("GET", f"{I}/readiness", READ),
    Endpoint("GET", "/portfolio", READ),
    Endpoint("GET", "/reviews", READ),
    Endpoint("POST", f"{I}/ideation/refinements", WORK, {"tags": ["x"]}),
    Endpoint("POST", f"{I}/ideation/workshops", WORK,
             {"held_on": "2026-01-01", "participants": ["a"], "outcome": "ok"}),
    Endpoint("POST", f"{I}/ideation/scores", WORK,
             {"value": 3, "feasibility": 3, "risk": 3, "strategic_fit": 3}),
    Endpoint("POST", f"{I}/ideation/sourcing", WORK, {"sourcing": "buy", "rationale": "r"}),
    Endpoint("POST", f"{I}/ideation/risk", WORK, {"risk_class": "minimal", "rationale": "r"}),
    Endpoint("POST", f"{I}/poc/hypotheses", WORK, {"statement": "s", "metric": "m",
             "comparator": ">=", "threshold": 1}, strict=False),
    Endpoint("POST", f"{I}/poc/hypotheses/h1/results", WORK,
             {"value": 1, "evidence_link": "x"}, strict=False),
    Endpoint("POST", f"{I}/poc/data-sources", WORK, {"name": "n"}, strict=False),
    Endpoint("POST", f"{I}/poc/model", WORK, {"choice": "c", "rationale": "r"}, strict=False),
    Endpoint("POST", f"{I}/poc/risk", WORK, {"risk_class": "minimal", "rationale": "r"},
             strict=False),
    Endpoint("POST", f"{I}/pilot/scope", WORK,
             {"user_group": "u", "sites": ["s"], "planned_weeks": 2}, strict=False),
    Endpoint("POST", f"{I}/pilot/kpis", WORK,
             {"name": "n", "unit": "u", "baseline": 1, "target": 2}, strict=False),
    Endpoint("POST", f"{I}/pilot/oversight", WORK, {"override_by": ["a"],
             "decision_boundaries": "d", "escalation_path": "e", "accountable": "a"},
             strict=False),
    Endpoint("POST", f"{I}/pilot/incidents", WORK, {"title": "t", "severity": "low"},
             strict=False),
    Endpoint("POST", f"{I}/pilot/feedback", WORK, {"summary": "s"}, strict=False),
    Endpoint("POST", f"{I}/kpis/k1/measurements", WORK, {"value": 1}, strict=False),
    Endpoint("POST", f"{I}/mvp/documents", WORK,
             {"kind": "runbook", "link": "l", "author": "a"}, strict=False),
    Endpoint("POST", f"{I}/mvp/monitoring", WORK,
             {"metrics": [{"name": "m", "threshold": 1}], "owner": "o"}, strict=False),
    Endpoint("POST", f"{I}/gate-reviews", REVIEW, {}),
    Endpoint("POST", f"{I}/gate-decisions", DECIDE,
             {"decision": "recycle", "rationale": "again"}, fresh_review=True),
    # agents never fulfil a condition, whatever their policy says (PRODUCT.md 9)
    Endpoint("POST", f"{I}/conditions/c1/fulfil", STEWARD - {"agent_committee"}, {},
             strict=False),
    Endpoint("POST", f"{I}/resume", STEWARD, {}),
    Endpoint("POST", "/subscriptions", ADMIN, SUB),
    Endpoint("GET", "/subscriptions", ADMIN),
    Endpoint("GET", "/subscriptions/{sid}/deliveries", ADMIN),
    Endpoint("POST", "/subscriptions/{sid}/test", ADMIN),
    Endpoint("DELETE", "/subscriptions/{sid}", ADMIN, strict=False),
    Endpoint("POST", "/users", ADMIN, {"name": "new-user", "role": "viewer"}),
    Endpoint("GET", "/users", ADMIN),
]  # fmt: skip


async def fresh(api: Api, review: bool) -> str:
    """A new initiative, once the read models show it (reads then see it, routing finds it)."""
    made = await api.ok("/initiatives", "owner", IDEA)
    if review:
        made = await api.ok(f"/initiatives/{made['id']}/gate-reviews", "owner")
    await api.state(made["id"], made["position"])
    return str(made["id"])


async def call(api: Api, e: Endpoint, who: str | None, iid: str, sid: str) -> httpx.Response:
    path = e.path.format(iid=iid, sid=sid)
    headers = api.headers(who)
    return await api.http.request(e.method, path, json=e.body, headers=headers)


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=lambda e: f"{e.method} {e.path}")
async def test_every_role_gets_what_its_role_allows(api: Api, endpoint: Endpoint):
    shared = await fresh(api, review=False)
    made = (await api.ok("/subscriptions", "admin", SUB))["subscription_id"]
    outcome: dict[str | None, int] = {}
    for who in [None, *USERS]:
        iid = await fresh(api, review=True) if endpoint.fresh_review else shared
        sid = (
            made
            if endpoint.method != "DELETE"
            else (await api.ok("/subscriptions", "admin", SUB))["subscription_id"]
        )
        outcome[who] = (await call(api, endpoint, who, iid, sid)).status_code
    wrong = {}
    for who, status in outcome.items():
        if who is None:
            ok = status == 401
        elif who not in endpoint.allowed:
            ok = status == 403
        elif endpoint.strict:
            ok = 200 <= status < 300
        else:
            ok = status not in (401, 403) and status < 500
        if not ok:
            wrong[who] = status
    assert not wrong, f"unexpected statuses {wrong} (all: {outcome})"


async def test_an_agent_is_told_why_it_may_not_decide(api: Api):
    iid = await fresh(api, review=True)
    response = await api.post(
        f"/initiatives/{iid}/gate-decisions",
        "agent_committee",
        {"decision": "go", "rationale": "r"},
    )
    assert response.status_code == 403
    assert "agent" in response.json()["detail"]


async def test_the_event_stream_answers_readers_and_refuses_strangers(api: Api):
    async def status(who: str | None) -> int:
        async with api.http.stream("GET", "/events/stream", headers=api.headers(who)) as r:
            return r.status_code

    assert await status(None) == 401
    assert await status("viewer") == 200


async def test_a_bad_token_is_401_with_a_problem(api: Api):
    response = await api.http.get("/initiatives", headers={"Authorization": "Bearer nope"})
    assert response.status_code == 401
    assert response.headers["content-type"].startswith("application/problem+json")
    assert "token" in response.json()["detail"]


async def test_an_admin_creates_a_user_whose_token_works_at_once(api: Api):
    made = await api.http.post(
        "/users",
        json={"name": "agent-7", "role": "contributor", "kind": "agent"},
        headers=api.headers("admin"),
    )
    assert made.status_code == 201
    token = made.json()["token"]
    listed = await api.http.get("/users", headers=api.headers("admin"))
    assert {"name": "agent-7", "role": "contributor", "kind": "agent", "active": True} in [
        {k: u[k] for k in ("name", "role", "kind", "active")} for u in listed.json()
    ]
    reads = await api.http.get("/initiatives", headers={"Authorization": f"Bearer {token}"})
    assert reads.status_code == 200
    bad = await api.http.post("/users", json={"name": "x y", "role": "boss"},
                              headers=api.headers("admin"))  # fmt: skip
    assert bad.status_code in (400, 422)
