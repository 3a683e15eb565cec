"""Agents through the API with every service running (PRODUCT.md section 9): a held document
draft approved by its approver changes G4 readiness; a refused action is recorded and
escalated; the kill switch stops the agent's token at once and opens an incident and a
re-entry review; a deviating measurement is held."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import nats
import pytest
import pytest_asyncio

from api import sessions
from api.auth import SESSION_COOKIE
from api.users import user_for_token
from infra.db import Pool, create_pool
from infra.eventstore import EventStore
from infra.settings import Settings
from launch import agent_policies
from services.agents import decider
from services.agents.sweeper import Sweeper
from services.projection import queries
from services.projection.rebuild import rebuild
from services.runner import Runner
from tests.accounts import ensure_user
from tests.integration.api_stack import Api, api
from tests.integration.bus import eventually
from tests.integration.test_api_lifecycle import IDEA, ideation, pilot, poc

pytestmark = pytest.mark.asyncio(loop_scope="session")
__all__ = ["api"]
DOC_BOT, KPI_BOT, LAPSING = "doc-bot-t", "kpi-bot-t", "lapsing-bot-t"
DRAFTS = {
    "rules": [{"action": "record-document", "mode": "draft", "approver": {"account": "owner"}}],
    "otherwise": "refused",
}
MEASURES = {
    "rules": [{"action": "record-measurement", "mode": "direct", "max_deviation": 0.2}],
    "approver": {"role": "owner"},
}


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def bots(api: Api, settings: Settings) -> Api:
    """The stack with two agents under their policies, sponsored by `committee`."""
    await agents(api, settings)
    return api


async def agents(api: Api, settings: Settings) -> None:
    pool = await create_pool(settings.database_url_for("api"), max_size=1)
    try:
        for name in (DOC_BOT, KPI_BOT):
            api.tokens[name] = (await ensure_user(pool, name, "contributor", "agent"))[1]
    finally:
        await pool.close()
    for name, policy in ((DOC_BOT, DRAFTS), (KPI_BOT, MEASURES)):
        put = await api.http.put(
            f"/agents/{name}/policy", json=policy, headers=api.headers("admin")
        )
        assert put.status_code == 200, put.text
        await api.ok(f"/agents/{name}/sponsor", "admin", {"sponsor": "committee"})


async def in_mvp(api: Api) -> str:
    iid = str((await api.ok("/initiatives", "contributor", IDEA))["id"])
    await ideation(api, iid)
    await poc(api, iid)
    await pilot(api, iid)  # ends with the MVP open
    return iid


def criterion(readiness: dict[str, Any], cid: str) -> dict[str, Any]:
    return next(c for c in readiness["criteria"] if c["id"] == cid)


async def documentation(api: Api, iid: str, position: int | None) -> dict[str, Any]:
    response = await api.get(f"/initiatives/{iid}/readiness", min_position=position or 0)
    assert response.status_code == 200, response.text
    return criterion(response.json(), "g4.documentation")


async def draft(api: Api, iid: str, kind: str) -> dict[str, Any]:
    body = {"kind": kind, "link": f"https://wiki/{kind}", "author": DOC_BOT}
    response = await api.post(f"/initiatives/{iid}/mvp/documents", DOC_BOT, body)
    assert response.status_code == 202, response.text
    held: dict[str, Any] = response.json()
    assert (held["status"], held["approver"]) == ("held", "owner")
    return held


async def test_a_held_document_draft_counts_for_g4_once_its_approver_approves(
    bots: Api, settings: Settings
):
    api = bots
    iid = await in_mvp(api)
    held = [await draft(api, iid, kind) for kind in ("model_card", "runbook")]
    before = await documentation(api, iid, None)
    assert not before["met"]  # the MVP stage never received the drafts
    seen = max(h["position"] or 0 for h in held)  # read your own write
    waiting = (await api.get("/approvals", "owner", min_position=seen)).json()
    assert {h["approval_id"] for h in held} <= {w["approval_id"] for w in waiting}
    inbox = (await api.get("/inbox", "owner")).json()["items"]
    drafts = {i["link"] for i in inbox if i["kind"] == "draft"}
    assert {f"/approvals#approval-{h['approval_id']}" for h in held} <= drafts
    assert (await api.get("/approvals", "contributor")).json() == []  # not theirs to decide
    bystander = await api.post(f"/approvals/{held[0]['approval_id']}/approve", "contributor")
    assert bystander.status_code == 403
    replies = [await api.ok(f"/approvals/{h['approval_id']}/approve", "owner") for h in held]
    assert all(r["status"] == "approved" and r["version"] for r in replies)
    after = await documentation(api, iid, replies[-1]["position"])
    assert after["met"], after
    again = await api.ok(f"/approvals/{held[0]['approval_id']}/approve", "owner")
    assert again["version"] == replies[0]["version"]  # a retry applies nothing twice
    events = (await api.get(f"/initiatives/{iid}/events", type="document_recorded")).json()
    assert [e["actor"] for e in events] == [DOC_BOT, DOC_BOT]
    assert (await api.get("/approvals", "owner")).json() == [
        w for w in (await api.get("/approvals", "owner")).json()
        if w["approval_id"] not in {h["approval_id"] for h in held}
    ]  # fmt: skip
    quality = {q["approver"]: q for q in (await api.get("/approvals/quality")).json()}
    assert quality["owner"]["approved"] >= 2 and quality["owner"]["approval_rate"] > 0
    dossier = await page(api, settings, "owner", f"/initiatives/{iid}")
    assert "AI agents' drafts and refusals" in dossier
    assert dossier.count(f'record document by <a href="/agents/{DOC_BOT}">') == 2
    history = [h["text"] for h in (await api.get(f"/agents/{DOC_BOT}")).json()["history"]]
    title = IDEA["title"]  # the initiative is named, never shown by its id
    assert f"Draft approved by owner: sent to the mvp of “{title}”" in history
    assert "Policy version 1 set (1 rules, otherwise refused)" in history


async def test_a_refused_action_is_recorded_and_escalated_to_the_sponsor(bots: Api):
    api = bots
    iid = str((await api.ok("/initiatives", "contributor", IDEA))["id"])
    body = {"tags": ["agents"]}
    refused = await api.post(f"/initiatives/{iid}/ideation/refinements", DOC_BOT, body)
    assert refused.status_code == 403, refused.text
    assert "policy v1: otherwise refused" in refused.json()["detail"]
    vote = await api.post(f"/initiatives/{iid}/gate-decisions", "agent_committee",
                          {"decision": "go", "rationale": "r"})  # fmt: skip
    assert vote.status_code == 403

    async def refusal(agent_id: str, action: str) -> dict[str, Any] | None:
        agent = (await api.get(f"/agents/{agent_id}")).json()
        found = [r for r in agent["refused"] if (r["initiative_id"], r["action"]) == (iid, action)]
        return found[0] if found else None

    await eventually(lambda: refusal(DOC_BOT, "refine-idea"), what="the refusal on the agent")
    mine = await refusal(DOC_BOT, "refine-idea")
    assert mine and mine["escalated"] and mine["escalated_to"] == "committee"  # the sponsor
    told = (await api.get("/approvals/escalations", "committee")).json()  # to the sponsor
    assert [(e["agent_id"], e["action"]) for e in told if e["initiative_id"] == iid] == [
        (DOC_BOT, "refine-idea")
    ]
    assert not [e for e in (await api.get("/approvals/escalations", "owner")).json()
                if e["initiative_id"] == iid]  # fmt: skip
    await eventually(lambda: refusal("agent_committee", "decide-gate"), what="the refused vote")
    # an agent without the committee or owner role is refused too, and recorded all the same
    for path, body in ((f"/initiatives/{iid}/gate-decisions", {"decision": "go", "rationale": "r"}),
                       (f"/initiatives/{iid}/conditions/c1/fulfil", {})):  # fmt: skip
        tried = await api.post(path, DOC_BOT, body)
        assert tried.status_code == 403 and "agents never" in tried.json()["detail"], tried.text
    await eventually(lambda: refusal(DOC_BOT, "decide-gate"), what="its vote recorded")
    await eventually(lambda: refusal(DOC_BOT, "fulfil-condition"), what="its fulfilling recorded")


async def page(api: Api, settings: Settings, who: str, path: str) -> str:
    """A page as `who` sees it, with a session of theirs, from the running API."""
    pool = await create_pool(settings.database_url_for("api"), max_size=1)
    try:
        user = await user_for_token(pool, api.tokens[who])
        cookie = await sessions.start(pool, user.user_id, sessions.Limits.of(settings),
                                      datetime.now(UTC))  # fmt: skip
    finally:
        await pool.close()
    async with httpx.AsyncClient(base_url=api.url, cookies={SESSION_COOKIE: cookie}) as http:
        response = await http.get(path)
    assert response.status_code == 200, response.text
    return response.text


async def test_a_deviating_measurement_is_held_and_the_kill_switch_stops_the_agent(
    bots: Api, settings: Settings
):
    api = bots
    iid = await in_mvp(api)
    path = f"/initiatives/{iid}/kpis/minutes/measurements"
    near = await api.post(path, KPI_BOT, {"value": 4.4})  # the last one was 4.0: +10%
    assert near.status_code == 201, near.text
    far = await api.post(path, KPI_BOT, {"value": 9.0})  # +105%
    assert far.status_code == 202, far.text
    assert "deviates" in far.json()["rule"] and far.json()["approver"] == "any owner"

    bystander = await api.post(f"/agents/{KPI_BOT}/suspend", "committee2", {"reason": "r"})
    assert bystander.status_code == 403, bystander.text  # not accountable for what it did
    # the initiative's owner answers for it: they may pull the switch (admins anywhere)
    killed = await api.ok(f"/agents/{KPI_BOT}/suspend", "owner", {"reason": "Wrong figures"})
    assert (await api.get("/initiatives", KPI_BOT)).status_code == 401  # at once
    agent = (await api.get(f"/agents/{KPI_BOT}", min_position=killed["position"])).json()
    assert agent["agent"]["status"] == "suspended" and not agent["active"]
    [suspension] = agent["suspensions"]
    assert iid in suspension["initiatives"] and suspension["reinstated_at"] is None
    assert agent["waiting"] == []  # the held measurement is refused, never let through
    assert [r["reason"] for r in agent["refused"]] == ["its agent was suspended: Wrong figures"]
    assert f"Agent {KPI_BOT} suspended" in await page(api, settings, "admin", f"/initiatives/{iid}")
    assert f"Re-entry of {KPI_BOT}" in await page(api, settings, "committee", "/reviews")

    back = await api.ok(f"/agents/{KPI_BOT}/reinstate", "committee", {"reason": "Fixed"})
    assert (await api.get("/initiatives", KPI_BOT)).status_code == 200
    agent = (await api.get(f"/agents/{KPI_BOT}", min_position=back["position"])).json()
    assert agent["agent"]["status"] == "active" and agent["suspensions"][0]["reinstated_at"]


async def test_the_cli_sets_a_policy_from_a_file_as_a_new_version(
    bots: Api, settings: Settings, tmp_path: Path
):
    policy = tmp_path / "policy.json"
    policy.write_text(json.dumps({**DRAFTS, "hold_hours": 24}))
    version = await agent_policies.set_policy(settings, DOC_BOT, policy, "admin")
    assert version is not None and version >= 2
    assert await agent_policies.set_policy(settings, DOC_BOT, policy, None) is None  # the same
    with pytest.raises(agent_policies.PolicyRefused, match="not an active admin"):
        await agent_policies.set_policy(settings, DOC_BOT, policy, "owner")
    policy.write_text('{"rules": [{"action": "vote", "mode": "direct"}]}')
    with pytest.raises(agent_policies.PolicyRefused, match="action"):
        await agent_policies.set_policy(settings, DOC_BOT, policy, "admin")


async def test_bad_agent_requests_are_problems_that_change_nothing(bots: Api):
    api = bots
    admin = api.headers("admin")
    cases = [
        (await api.http.put("/agents/nobody/policy", json=DRAFTS, headers=admin), 404, "nobody"),
        (await api.http.put(f"/agents/{DOC_BOT}/policy", headers=admin,
                            json={"rules": [{"action": "record-document", "mode": "draft"}]}),
         422, "name an approver"),
        (await api.http.put(f"/agents/{DOC_BOT}/policy", headers=admin,
                            json={"rules": [], "veto": True}), 422, "veto"),
        *[(await api.http.put(f"/agents/{DOC_BOT}/policy", headers=admin, json={"rules": [
            {"action": "record-document", "mode": "draft", "approver": {"account": who}}]}),
           422, f"the approver {who!r} is not a person") for who in (DOC_BOT, "no-such-one")],
        (await api.http.put(f"/agents/{DOC_BOT}/policy", headers=admin,
                            json={**DRAFTS, "expected_version": 0}), 409, "not the expected 0"),
        (await api.post(f"/agents/{DOC_BOT}/sponsor", "admin",
                        {"sponsor": "owner", "expected_version": 0}), 409, "not the expected 0"),
        (await api.post("/approvals/garbage/approve", "owner"), 404, "approval"),
        (await api.post(f"/approvals/{DOC_BOT}~nope/approve", "owner"), 404, "no action nope"),
        (await api.post(f"/approvals/{DOC_BOT}~nope/approve", DOC_BOT), 403, "agent"),
        (await api.post(f"/agents/{DOC_BOT}/sponsor", "admin", {"sponsor": "agent"}), 422,
         "person"),
        (await api.post(f"/agents/{DOC_BOT}/attestations", "owner", {}), 403, "sponsor"),
        (await api.post(f"/agents/{DOC_BOT}/suspend", KPI_BOT, {"reason": "x"}), 403, "agent"),
        (await api.post(f"/agents/{DOC_BOT}/suspend", "admin", {}), 422, "reason"),
        (await api.post(f"/agents/{DOC_BOT}/reinstate", "owner", {}), 403, "committee"),
    ]  # fmt: skip
    for response, status, words in cases:
        assert response.status_code == status, (response.request.url, response.text)
        assert response.headers["content-type"].startswith("application/problem+json")
        assert words in response.json()["detail"], response.text
    agent = (await api.get(f"/agents/{DOC_BOT}")).json()
    assert agent["agent"]["status"] == "active" and agent["agent"]["sponsor"] == "committee"
    same = await api.http.put(f"/agents/{DOC_BOT}/policy", headers=admin, json=DRAFTS)
    current = same.json()["version"]  # the agent's stream: a command with it goes through
    again = await api.http.put(f"/agents/{DOC_BOT}/policy", headers=admin,
                               json={**DRAFTS, "expected_version": current})  # fmt: skip
    assert again.status_code == 200 and again.json()["version"] == current, again.text
    # the README shows these without a body: none is needed
    for path, who, status in ((f"/agents/{DOC_BOT}/attestations", "committee", 201),
                              (f"/agents/{DOC_BOT}/reinstate", "committee", 201),
                              (f"/approvals/{DOC_BOT}~nope/reject", "owner", 404)):  # fmt: skip
        bare = await api.http.post(path, headers=api.headers(who))
        assert bare.status_code == status, (path, bare.text)


async def test_only_its_approver_decides_a_draft_before_and_after_its_approval(
    bots: Api, settings: Settings
):
    """An owner not on the initiative's team, an admin for a draft named for someone else,
    and anyone asking again once it was approved (a 200 replay before) are refused."""
    api = bots
    pool = await create_pool(settings.database_url_for("api"), max_size=1)
    try:
        api.tokens["owner-elsewhere"] = (await ensure_user(pool, "owner-elsewhere", "owner"))[1]
    finally:
        await pool.close()
    iid = await in_mvp(api)
    named = await draft(api, iid, "data_sheet")  # for the account `owner`
    path = f"/initiatives/{iid}/kpis/minutes/measurements"
    far = await api.post(path, KPI_BOT, {"value": 90.0})  # for anyone holding the owner role
    assert far.status_code == 202, far.text
    role = far.json()
    seen = max(named["position"], role["position"])
    mine = {
        w["approval_id"] for w in (await api.get("/approvals", "admin", min_position=seen)).json()
    }
    assert role["approval_id"] in mine and named["approval_id"] not in mine  # not the admin's
    admin = await api.post(f"/approvals/{named['approval_id']}/approve", "admin")
    assert admin.status_code == 403, admin.text
    theirs = (await api.get("/approvals", "owner-elsewhere")).json()
    assert role["approval_id"] not in {w["approval_id"] for w in theirs}
    for verb, body in (("approve", None), ("reject", {"reason": "no"})):
        stranger = await api.post(f"/approvals/{role['approval_id']}/{verb}", "owner-elsewhere",
                                  body)  # fmt: skip
        assert stranger.status_code == 403 and "on the team" in stranger.json()["detail"]
    first = await api.ok(f"/approvals/{role['approval_id']}/approve", "owner")
    again = await api.ok(f"/approvals/{role['approval_id']}/approve", "owner")
    assert again == first  # the approver's retry: the same answer, applied once
    await api.get("/approvals", "owner", min_position=first["position"])  # the read model
    admin_too = await api.post(f"/approvals/{role['approval_id']}/approve", "admin")
    assert admin_too.json() == first  # another who could approve it: the same answer
    for who in ("viewer", "contributor", "committee", "owner-elsewhere"):
        late = await api.post(f"/approvals/{role['approval_id']}/approve", who)
        assert late.status_code == 403, (who, late.text)
        assert late.headers["content-type"].startswith("application/problem+json")
    events = (await api.get(f"/initiatives/{iid}/events", min_position=first["position"],
                            type="kpi_measured")).json()  # fmt: skip
    assert [e["data"]["value"] for e in events].count(90.0) == 1
    quality = await api.get("/approvals/quality", min_position=first["position"])
    assert any(q["approver"] == "owner" for q in quality.json()), quality.text
    spec = (await api.http.get(f"{api.url}/schema/openapi.json")).json()
    every_get = [
        op
        for path in spec["paths"].values()
        for verb, op in path.items()
        if verb == "get"
        and op.get("operationId")
        in ("listApprovals", "listEscalations", "getApprovalQuality", "listAgents", "getAgent")
    ]
    assert len(every_get) == 5  # each reads your own write with min_position
    for op in every_get:
        assert "min_position" in {p["name"] for p in op.get("parameters", [])}, op["operationId"]


async def test_the_sweeper_refuses_a_late_draft_and_suspends_a_lapsed_agent(
    api: Api, settings: Settings
):
    """The agents service's sweeper, on a test clock 100 days ahead, against the real store."""
    pool = await create_pool(settings.database_url_for("api"), max_size=1)
    try:
        api.tokens[LAPSING] = (await ensure_user(pool, LAPSING, "contributor", "agent"))[1]
    finally:
        await pool.close()
    put = await api.http.put(f"/agents/{LAPSING}/policy", json=DRAFTS, headers=api.headers("admin"))
    assert put.status_code == 200, put.text
    await api.ok(f"/agents/{LAPSING}/sponsor", "admin", {"sponsor": "committee"})
    iid = str((await api.ok("/initiatives", "contributor", IDEA))["id"])
    body = {"kind": "runbook", "link": "https://wiki/runbook", "author": LAPSING}
    held = await api.post(f"/initiatives/{iid}/mvp/documents", LAPSING, body)
    assert held.status_code == 202, held.text

    later = datetime.now(UTC) + timedelta(days=100)
    store_pool = await create_pool(settings.database_url_for("agents"), max_size=2)
    try:
        store = EventStore(store_pool, "agents")
        sweeper = Sweeper(Runner(store, decider), store, clock=lambda: later)
        assert await sweeper.sweep() >= 3  # refused + escalated, suspended (others too)
        assert await sweeper.sweep() == 0  # nothing is due twice
    finally:
        await store_pool.close()

    async def suspended() -> bool:
        agent = (await api.get(f"/agents/{LAPSING}")).json()["agent"]
        return bool(agent and agent["status"] == "suspended")

    await eventually(suspended, what="the lapsed agent suspended")
    agent = (await api.get(f"/agents/{LAPSING}")).json()
    assert agent["agent"]["suspended_reason"] == "attestation lapsed"
    assert [r["reason"] for r in agent["refused"]] == [
        "no decision within its time limit: refused, never let through"
    ]
    late = await api.post(f"/approvals/{held.json()['approval_id']}/approve", "owner")
    assert late.status_code == 409 and "not waiting" in late.json()["detail"]

    async def locked_out() -> bool:  # no request suspended it: the notifier deactivates it
        return (await api.get("/initiatives", LAPSING)).status_code == 401

    await eventually(locked_out, what="the lapsed agent's token refused")


async def side_tables(pool: Pool) -> dict[str, list[dict[str, Any]]]:
    reads = {
        "agents": "SELECT * FROM projection.agents ORDER BY agent_id",
        "actions": "SELECT * FROM projection.agent_actions ORDER BY agent_id, action_id",
        "suspensions": "SELECT * FROM projection.agent_suspensions ORDER BY suspension_id",
        "drafts": "SELECT * FROM projection.inbox WHERE kind = 'draft' ORDER BY key",
    }
    return {name: [dict(r) for r in await pool.fetch(sql)] for name, sql in reads.items()}


async def test_a_rebuild_writes_the_agents_side_view_as_the_live_projection_did(
    bots: Api, settings: Settings
):
    pool = await create_pool(settings.database_url_for("projection"), max_size=2)
    nc = await nats.connect(settings.nats_url)
    try:
        last = (await nc.jetstream().stream_info(settings.stream)).state.last_seq
        assert await queries.wait_for_position(pool, last, 20)
        live = await side_tables(pool)
        assert live["agents"]  # and, after the tests above, actions, suspensions, drafts
        await rebuild(settings)
        assert await side_tables(pool) == live
    finally:
        await nc.close()
        await pool.close()
