"""Bad input gets the right 4xx as an RFC 9457 problem with a useful detail, and nothing
is written."""

from __future__ import annotations

from typing import Any

import pytest

from tests.integration.api_stack import Api, api
from tests.integration.test_api_lifecycle import IDEA

pytestmark = pytest.mark.asyncio(loop_scope="session")
__all__ = ["api"]

SCORE = {"value": 3, "feasibility": 3, "risk": 3, "strategic_fit": 3}


def without(body: dict[str, Any], key: str) -> dict[str, Any]:
    return {k: v for k, v in body.items() if k != key}


# (path under the initiative or absolute, body, status, field, words in detail)
CASES = [
    ("/initiatives", without(IDEA, "title"), 422, "title", "missing"),
    ("/initiatives", {**IDEA, "title": "x" * 201}, 422, "title", "length <= 200"),
    ("/initiatives", {**IDEA, "title": ""}, 422, "title", "length >= 1"),
    ("/initiatives", {**IDEA, "ai_category": "magic"}, 422, "ai_category", "magic"),
    ("/initiatives", {**IDEA, "colour": "red"}, 422, "colour", "unknown field"),
    ("/initiatives", {**IDEA, "team": "ana"}, 422, "team", "array"),
    ("ideation/scores", {**SCORE, "value": "five"}, 422, "value", "int"),
    ("ideation/scores", {**SCORE, "value": 6}, 422, "value", "<= 5"),
    ("ideation/risk", {"risk_class": "extreme", "rationale": "r"}, 422, "risk_class", "extreme"),
    ("ideation/workshops", {"held_on": "yesterday", "participants": ["a"], "outcome": "o"},
     422, "held_on", "date"),
    ("ideation/scores", {**SCORE, "expected_version": -1}, 422, "expected_version", ">= 0"),
]  # fmt: skip


async def version_and_events(api: Api, iid: str) -> tuple[int, int]:
    events = (await api.get(f"/initiatives/{iid}/events")).json()
    return len(events), (await api.get("/initiatives")).json()["total"]


async def new_initiative(api: Api) -> tuple[str, int]:
    reply = await api.ok("/initiatives", "owner", IDEA)
    await api.state(reply["id"], reply["position"])
    return reply["id"], reply["position"]


@pytest.mark.parametrize(("path", "body", "status", "field", "words"), CASES,
                         ids=[f"{c[0]}-{c[3]}-{c[2]}" for c in CASES])  # fmt: skip
async def test_invalid_bodies_are_problems_naming_the_field_and_write_nothing(
    api: Api, path: str, body: Any, status: int, field: str | None, words: str
):
    iid, _ = await new_initiative(api)
    before = await version_and_events(api, iid)
    url = path if path.startswith("/") else f"/initiatives/{iid}/{path}"
    response = await api.post(url, "owner", body)
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    problem = response.json()
    assert {"type", "title", "status", "detail"} <= problem.keys()
    assert problem["status"] == status
    assert words.lower() in problem["detail"].lower(), problem
    if field:
        assert problem["field"] == field
    assert await version_and_events(api, iid) == before


async def test_an_unknown_decision_value_is_named(api: Api):
    iid, _ = await new_initiative(api)
    await api.ok(f"/initiatives/{iid}/gate-reviews", "owner")
    response = await api.post(
        f"/initiatives/{iid}/gate-decisions", "committee", {"decision": "maybe", "rationale": "r"}
    )
    assert response.status_code == 422
    assert response.json()["field"] == "decision"


async def test_malformed_json_and_a_missing_body_are_400(api: Api):
    bad = await api.http.post(
        "/initiatives",
        content=b"{title:",
        headers={**api.headers("owner"), "content-type": "application/json"},
    )
    assert bad.status_code == 400 and "JSON" in bad.json()["detail"]
    empty = await api.http.post("/initiatives", headers=api.headers("owner"))
    assert empty.status_code == 400 and "body" in empty.json()["detail"]
    array = await api.post("/initiatives", "owner", [IDEA])
    assert array.status_code == 422 and "object" in array.json()["detail"]


async def test_unknown_ids_are_404(api: Api):
    iid, _ = await new_initiative(api)
    ghost = "00000000-0000-4000-8000-000000000000"
    for response in [
        await api.get(f"/initiatives/{ghost}"),
        await api.get(f"/initiatives/{ghost}/events"),
        await api.get(f"/initiatives/{ghost}/readiness"),
        await api.get("/initiatives/not%20an%20id"),
        await api.post(f"/initiatives/{ghost}/ideation/scores", "owner", SCORE),
        await api.post(f"/initiatives/{ghost}/gate-reviews", "owner", {}),
        await api.post(f"/initiatives/{ghost}/resume", "owner", {}),
        await api.post(f"/initiatives/{iid}/conditions/nope/fulfil", "owner", {}),
        await api.get("/subscriptions/nope/deliveries", "admin"),
        await api.get("/nowhere"),
    ]:
        assert response.status_code == 404, (response.request.url, response.text)
        assert response.json()["detail"]


async def test_a_stale_expected_version_is_409_naming_the_current_one(api: Api):
    iid, _ = await new_initiative(api)
    fine = await api.ok(
        f"/initiatives/{iid}/ideation/scores", "owner", {**SCORE, "expected_version": 1}
    )
    assert fine["version"] == 2
    await api.state(iid, fine["position"])
    before = await version_and_events(api, iid)
    stale = await api.post(
        f"/initiatives/{iid}/ideation/scores", "owner", {**SCORE, "value": 5, "expected_version": 1}
    )
    assert stale.status_code == 409, stale.text
    problem = stale.json()
    assert problem["current_version"] == 2 and "2" in problem["detail"]
    assert await version_and_events(api, iid) == before


async def test_bad_query_parameters_are_400(api: Api):
    iid, _ = await new_initiative(api)
    for params in ({"min_position": "soon"}, {"as_of": "last tuesday"}):
        response = await api.get(f"/initiatives/{iid}", **params)
        assert response.status_code == 400, response.text
        assert response.json()["field"] in params
    response = await api.get("/initiatives", limit=100000)
    assert response.status_code == 400


async def test_a_rule_the_service_enforces_comes_back_as_409_or_422(api: Api):
    iid, _ = await new_initiative(api)
    no_review = await api.post(
        f"/initiatives/{iid}/gate-decisions", "committee", {"decision": "hold", "rationale": "r"}
    )
    assert no_review.status_code == 409 and "review" in no_review.json()["detail"]
    await api.ok(f"/initiatives/{iid}/gate-reviews", "owner")
    bare = await api.post(
        f"/initiatives/{iid}/gate-decisions",
        "committee",
        {"decision": "conditional_go", "rationale": "r"},
    )
    assert bare.status_code in (409, 422), bare.text
