"""Owners are accounts, against every service as a real process: an owner acts only on the
initiatives they own or are on the team of (403 otherwise), a team member and the
committee and admins act; ownership is handed over end to end; ?mine=true and ?owner=
find every initiative of an owner."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import pytest
import pytest_asyncio

from infra.db import create_pool
from infra.settings import Settings
from tests.accounts import ensure_user
from tests.integration.api_stack import Api, api
from tests.integration.test_api_lifecycle import settled

pytestmark = pytest.mark.asyncio(loop_scope="session")
__all__ = ["api"]

RUN = uuid.uuid4().hex[:6]  # the session's database is shared: names of this run only
OLGA, OTTO, TESS, UMA, BOT = (f"{n}-{RUN}" for n in ("olga", "otto", "tess", "uma", "bot"))
SCORE = {"value": 4, "feasibility": 4, "risk": 2, "strategic_fit": 5}


def idea(title: str, **over: Any) -> dict[str, Any]:
    return {
        "title": title,
        "problem_statement": "Claims are checked by hand.",
        "business_goal": "Check claims in a day.",
        "sponsor": "COO",
        **over,
    }


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def owners(api: Api, settings: Settings) -> Api:
    """Three more owners and an agent, with tokens, in the api fixture's token map."""
    pool = await create_pool(settings.database_url, max_size=2)
    try:
        for name in (OLGA, OTTO, TESS, UMA):
            api.tokens[name] = (await ensure_user(pool, name, "owner"))[1]
        api.tokens[BOT] = (await ensure_user(pool, BOT, "contributor", "agent"))[1]
    finally:
        await pool.close()
    return api


async def status(api: Api, path: str, who: str, body: dict[str, Any] | None = None) -> int:
    return (await api.post(path, who, body if body is not None else {})).status_code


async def decide(api: Api, iid: str, decision: str) -> None:
    body = {"decision": decision, "rationale": "Decided"}
    await api.ok(f"/initiatives/{iid}/gate-decisions", "committee", body)


async def ready_for_g1(api: Api, who: str, **over: Any) -> str:
    """An initiative proposed by `who` (its owner unless `owner` is given), ready for G1."""
    made = await api.ok("/initiatives", who, idea(f"Claims {uuid.uuid4().hex[:4]}", **over))
    iid = str(made["id"])
    base = f"/initiatives/{iid}/ideation"
    await api.ok(f"{base}/scores", "contributor", SCORE)
    await api.ok(f"{base}/sourcing", "contributor", {"sourcing": "buy", "rationale": "SaaS"})
    await api.ok(f"{base}/risk", "contributor", {"risk_class": "minimal", "rationale": "Low"})
    return iid


async def test_an_owner_acts_only_on_initiatives_they_own_or_are_on_the_team_of(owners: Api):
    api = owners
    iid = await ready_for_g1(api, OLGA, team=[TESS.upper(), "Kim Lee"])
    summary = (await api.state(iid, None))["summary"]
    assert (summary["owner"], summary["owner_account"]) == (OLGA, OLGA)  # the proposer
    assert summary["team"] == [
        {"name": TESS, "account": TESS},
        {"name": "Kim Lee", "account": None},
    ]

    score = f"/initiatives/{iid}/ideation/scores"
    refused = await api.post(score, OTTO, {**SCORE, "value": 3})
    assert refused.status_code == 403
    assert f"{OTTO} may not record ideation work" in refused.json()["detail"]
    assert f"owned by {OLGA}" in refused.json()["detail"]
    assert await status(api, f"/initiatives/{iid}/gate-reviews", OTTO) == 403
    assert await status(api, score, TESS, {**SCORE, "value": 5}) == 201  # on the team
    assert await status(api, score, "contributor", {**SCORE, "value": 3}) == 201  # every one
    assert await status(api, score, "admin", {**SCORE, "value": 4}) == 201
    assert await status(api, f"/initiatives/{iid}/gate-reviews", TESS) == 201
    await decide(api, iid, "go")
    await settled(api, iid, "poc", "active")

    # the PoC got the owner and the team with the G1 handoff
    hypothesis = {"statement": "Rules miss", "metric": "recall", "comparator": ">=", "threshold": 1}
    assert await status(api, f"/initiatives/{iid}/poc/hypotheses", OTTO, hypothesis) == 403
    assert await status(api, f"/initiatives/{iid}/poc/hypotheses", TESS, hypothesis) == 201
    assert await status(api, f"/initiatives/{iid}/gate-reviews", OLGA) == 201
    await decide(api, iid, "hold")
    assert await status(api, f"/initiatives/{iid}/resume", OTTO) == 403
    assert await status(api, f"/initiatives/{iid}/resume", "committee") == 201


async def test_ownership_is_handed_over_end_to_end(owners: Api):
    api = owners
    iid = await ready_for_g1(api, OLGA)
    path = f"/initiatives/{iid}/owner"
    taken = await api.post(path, OTTO, {"owner": OTTO})
    assert taken.status_code == 403 and "not its owner" in taken.json()["detail"]
    assert (await api.post(path, OLGA, {"owner": BOT})).status_code == 422  # agents own nothing

    handed = await api.ok(path, OLGA, {"owner": OTTO, "reason": "Olga moves to sales"})
    summary = (await api.state(iid, handed["position"]))["summary"]
    assert (summary["owner"], summary["owner_account"]) == (OTTO, OTTO)
    events = (await api.get(f"/initiatives/{iid}/events")).json()
    [event] = [e for e in events if e["type"] == "io.tollgate.ideation.ownership_handed_over.v1"]
    assert event["data"]["previous_owner_account"] == OLGA and event["actor"] == OLGA
    assert event["data"]["reason"] == "Olga moves to sales"

    score = f"/initiatives/{iid}/ideation/scores"
    assert await status(api, score, OLGA, {**SCORE, "value": 3}) == 403  # the old owner
    assert await status(api, f"/initiatives/{iid}/gate-reviews", OTTO) == 201  # the new one
    await decide(api, iid, "go")
    await settled(api, iid, "poc", "active")

    # later stages record the handover in their own stream, and the rule follows it
    handed = await api.ok(path, "committee", {"owner": "Kim Lee"})
    summary = (await api.state(iid, handed["position"]))["summary"]
    assert (summary["owner"], summary["owner_account"]) == ("Kim Lee", None)
    types = [e["type"] for e in (await api.get(f"/initiatives/{iid}/events")).json()]
    assert "io.tollgate.poc.ownership_handed_over.v1" in types
    source = {"name": "Claims DB"}
    assert await status(api, f"/initiatives/{iid}/poc/data-sources", OTTO, source) == 403
    assert await status(api, path, "admin", {"owner": OLGA}) == 201
    assert await status(api, f"/initiatives/{iid}/poc/data-sources", OLGA, source) == 201


async def test_mine_and_the_owner_filter_find_every_initiative_of_an_owner(owners: Api):
    api = owners
    mine = {
        str((await api.ok("/initiatives", UMA, idea("Own, by default")))["id"]),
        str((await api.ok("/initiatives", "contributor", idea("Named", owner=UMA.upper())))["id"]),
    }
    handed = str((await api.ok("/initiatives", OLGA, idea("Handed over")))["id"])
    reply = await api.ok(f"/initiatives/{handed}/owner", OLGA, {"owner": UMA})
    mine.add(handed)
    team = str((await api.ok("/initiatives", OLGA, idea("On the team", team=[UMA])))["id"])
    other = await api.ok("/initiatives", "contributor", idea("Kim's", owner=f"Kim Lee {RUN}"))
    await api.state(str(other["id"]), max(reply["position"], other["position"]))

    owned = (await api.get("/initiatives", "viewer", owner=UMA, limit=200)).json()
    assert {i["initiative_id"] for i in owned["items"]} == mine and owned["total"] == 3
    now = datetime.now(UTC).isoformat()
    as_of = (await api.get("/initiatives", "viewer", owner=UMA, as_of=now, limit=200)).json()
    assert {i["initiative_id"] for i in as_of["items"]} == mine
    hers = (await api.get("/initiatives", UMA, mine="true", limit=200)).json()
    assert {i["initiative_id"] for i in hers["items"]} == mine | {team}
    named = (await api.get("/initiatives", "viewer", owner=f"kim lee {RUN}")).json()
    assert [i["initiative_id"] for i in named["items"]] == [str(other["id"])]
    assert named["items"][0]["owner_account"] is None  # a name without an account
