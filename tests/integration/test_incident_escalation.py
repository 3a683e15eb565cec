"""Incident escalation (PRODUCT.md section 9) through the API with every service running (the
notifier too, mailing a real SMTP server) and the scheduler on a test clock (inbox_world.py):
a critical incident reaches its accountable person at once, and the committee chair once
its time limit has passed unacknowledged; an acknowledged one never escalates."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import timedelta

import pytest

from tests.accounts import ensure_user
from tests.integration.bus import eventually
from tests.integration.inbox_world import CHAIR, PUBLIC, World, address, world
from tests.integration.test_inbox import mailed

pytestmark = pytest.mark.asyncio(loop_scope="session")
__all__ = ["world"]
OVERSIGHT = {
    "override_by": ["Team lead"],
    "decision_boundaries": "The AI proposes",
    "escalation_path": "Team lead, then the committee chair",
    "accountable": "Ina-Acc",
}
ESCALATED = "io.tollgate.pilot.incident_escalated.v1"


async def report(world: World, iid: str, title: str) -> str:
    body = {"title": title, "severity": "critical"}
    done = await world.post(f"/initiatives/{iid}/pilot/incidents", "ina-owner", body)
    await world.inbox("ina-acc", done["position"])
    return str(done["record_id"])


async def acknowledge(world: World, iid: str, incident: str, who: str) -> int:
    path = f"/initiatives/{iid}/pilot/incidents/{incident}/acknowledge"
    response = await world.http.post(path, headers=world.bearer(who), json={"note": "On it"})
    return response.status_code


async def test_a_critical_incident_notifies_the_accountable_person_then_the_chair(world: World):
    iid = await world.in_pilot()
    await world.post(f"/initiatives/{iid}/pilot/oversight", "ina-owner", OVERSIGHT)
    incident = await report(world, iid, "Claims refused in bulk")
    [waiting] = [i for i in await world.inbox("ina-acc") if i.initiative_id == iid]
    assert (waiting.kind, waiting.urgent, waiting.due_at) == (
        "incident",
        True,
        waiting.since + timedelta(hours=4),
    )
    text = await mailed(world, "ina-acc", "Open critical incident: Claims refused in bulk")
    assert "acknowledge it by" in text and f"{PUBLIC}/initiatives/{iid}#incident-{incident}" in text
    assert await world.kinds(CHAIR, iid) == []

    assert (await world.tick(waiting.since + timedelta(hours=3))).escalated == 0
    assert (await world.tick(waiting.since + timedelta(hours=4, minutes=1))).escalated == 1
    await world.caught_up()
    [chair] = [i for i in await world.inbox(CHAIR) if i.initiative_id == iid]
    assert chair.text.startswith("Escalated to you: the critical incident “Claims refused")
    assert chair.overdue and chair.link == f"/initiatives/{iid}#incident-{incident}"
    assert "Escalated to you" in await mailed(world, CHAIR, "Claims refused in bulk")
    events = (
        await world.http.get(f"/initiatives/{iid}/events", headers=world.bearer(CHAIR))
    ).json()
    raised = [e for e in events if e["type"] == ESCALATED]
    assert [(e["data"]["escalated_to"], e["actorkind"]) for e in raised] == [(CHAIR, "system")]
    assert (await world.tick(waiting.since + timedelta(hours=9))).escalated == 0  # once

    assert await acknowledge(world, iid, incident, "ina-acc") == 201
    await world.caught_up()
    assert await world.kinds(CHAIR, iid) == []
    [mine] = [i for i in await world.inbox("ina-acc") if i.initiative_id == iid]
    assert mine.text.endswith("(acknowledged by ina-acc)") and mine.due_at is None


async def test_an_acknowledged_incident_is_not_escalated(world: World):
    iid = await world.in_pilot()
    await world.post(f"/initiatives/{iid}/pilot/oversight", "ina-owner", OVERSIGHT)
    incident = await report(world, iid, "Wrong payouts")
    assert await acknowledge(world, iid, incident, "ina-acc") == 201
    assert await acknowledge(world, iid, incident, "ina-acc") == 201  # again: a no-op
    await world.caught_up()
    [waiting] = [i for i in await world.inbox("ina-acc") if i.initiative_id == iid]
    assert waiting.due_at is None and not waiting.overdue
    assert (await world.tick(waiting.since + timedelta(days=2))).escalated == 0
    await world.caught_up()
    assert await world.kinds(CHAIR, iid) == []
    events = (
        await world.http.get(f"/initiatives/{iid}/events", headers=world.bearer(CHAIR))
    ).json()
    types = [e["type"] for e in events]
    assert types.count("io.tollgate.pilot.incident_acknowledged.v1") == 1
    assert ESCALATED not in types


async def test_an_agent_or_a_bystander_may_not_acknowledge_and_an_unknown_incident_is_404(
    world: World,
):
    iid = await world.in_pilot()
    await world.post(f"/initiatives/{iid}/pilot/oversight", "ina-owner", OVERSIGHT)
    incident = await report(world, iid, "Late alerts")
    world.tokens["ina-bot"] = (await ensure_user(world.pool, "ina-bot", "admin", "agent"))[1]
    path = f"/initiatives/{iid}/pilot/incidents/{incident}/acknowledge"
    refused = await world.http.post(path, headers=world.bearer("ina-bot"))
    assert refused.status_code == 403 and "agent never does" in refused.json()["detail"]
    bystander = await world.http.post(path, headers=world.bearer("ina-owner"))
    assert bystander.status_code == 403 and "accountable person" in bystander.json()["detail"]
    unknown = await acknowledge(world, iid, "nope", "ina-acc")
    assert unknown == 404
    bad = await world.http.post(path, headers=world.bearer("ina-acc"), json={"note": "x" * 201})
    assert (bad.status_code, bad.json()["field"]) == (422, "note"), bad.text


async def test_a_serious_incident_reaches_a_digest_reader_at_once_and_a_medium_one_does_not(
    world: World,
):
    iid = await world.in_pilot()
    await world.post(
        f"/initiatives/{iid}/pilot/oversight", "ina-owner", {**OVERSIGHT, "accountable": "ina-team"}
    )
    await report(world, iid, "Refunds doubled")  # critical
    medium = {"title": "Slow answers", "severity": "medium"}
    done = await world.post(f"/initiatives/{iid}/pilot/incidents", "ina-owner", medium)
    assert await world.kinds("ina-team", iid, done["position"]) == ["incident", "incident"]
    await mailed(world, "ina-team", "Open critical incident: Refunds doubled")

    async def told() -> list[str]:
        rows = await world.pool.fetch(
            "SELECT channel FROM api.notified WHERE initiative_id = $1 AND recipient = 'ina-team'"
            " ORDER BY channel",
            iid,
        )
        return [r["channel"] for r in rows]

    await eventually(lambda: _two(told), timeout=30, what="ina-team told of both incidents")
    assert await told() == ["digest", "immediate"]
    assert not world.mailbox.about(address("ina-team"), "Slow answers")  # waits for the digest


async def _two(told: Callable[[], Awaitable[list[str]]]) -> bool:
    return len(await told()) == 2
