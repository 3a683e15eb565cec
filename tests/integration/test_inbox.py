"""The inbox, notifications and escalation against the real stack (inbox_world.py): each kind
of waiting item appears for the right users over GET /api/v1/inbox and leaves when done;
mails arrive at a real SMTP server with the right recipients and links, at once or in a
daily digest, once each; an overdue review escalates to the chair with a test clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.integration.bus import eventually
from tests.integration.inbox_world import CHAIR, PUBLIC, World, address, world
from tests.integration.mailbox import body

pytestmark = pytest.mark.asyncio(loop_scope="session")
__all__ = ["world"]
RECYCLE = {"gate": "G3", "decision": "recycle", "rationale": "More evidence from Vienna"}


async def mailed(world: World, who: str, *texts: str, count: int = 1) -> str:
    """The body of the one mail (or the `count` mails) to `who` holding every text."""

    async def arrived() -> bool:
        return len(matching()) >= count

    def matching() -> list[str]:
        found = [f"{m['Subject']}\n{body(m)}" for m in world.mailbox.to(address(who))]
        return [m for m in found if all(t in m for t in texts)]

    await eventually(arrived, timeout=30, what=f"a mail to {who} about {texts}")
    assert len(matching()) == count, matching()
    return matching()[-1]


async def test_a_review_waits_on_the_committee_and_escalates_to_the_chair_when_overdue(
    world: World,
):
    iid = await world.in_pilot()
    title = f"Claims triage {iid[-4:]}"
    asked = await world.post(f"/initiatives/{iid}/gate-reviews", "ina-owner")
    assert await world.kinds("ina-chair", iid, asked["position"]) == ["review"]
    assert await world.kinds("ina-member", iid) == ["review"]
    assert await world.kinds("ina-owner", iid) == await world.kinds("ina-viewer", iid) == []
    review = next(i for i in await world.inbox("ina-member") if i.initiative_id == iid)
    assert (review.link, review.gate, review.overdue) == (f"/reviews#review-{iid}", "G3", False)
    text = await mailed(world, "ina-member", "Decide G3", title)
    assert f"{PUBLIC}/reviews#review-{iid}" in text and f"{PUBLIC}/inbox" in text
    await mailed(world, CHAIR, "Decide G3", title)

    voted = await world.post(f"/initiatives/{iid}/gate-decisions", "ina-member", RECYCLE)
    assert await world.kinds("ina-member", iid, voted["position"]) == []  # done with it
    assert await world.kinds(CHAIR, iid) == ["review"]

    assert (
        await world.tick(review.since + timedelta(days=3))
    ).flagged == 0  # within 10 working days
    assert (await world.tick(review.since + timedelta(days=20))).flagged == 1
    await world.caught_up()
    waiting = [i for i in await world.inbox(CHAIR) if i.initiative_id == iid]
    assert [(i.kind, i.overdue) for i in waiting] == [("review", True), ("overdue", True)]
    assert waiting[1].text == "Escalated to you: the G3 review is overdue"
    events = (
        await world.http.get(f"/initiatives/{iid}/events", headers=world.bearer(CHAIR))
    ).json()
    raised = [e for e in events if e["type"] == "io.tollgate.pilot.review_overdue.v1"]
    assert [e["data"]["escalated_to"] for e in raised] == [CHAIR]
    assert raised[0]["actorkind"] == "system"
    assert (await world.tick(review.since + timedelta(days=21))).flagged == 0  # raised once
    queue = (await world.http.get("/reviews", headers=world.bearer(CHAIR))).json()
    late = next(q for q in queue if q["initiative_id"] == iid)
    assert (late["escalated_to"], late["overdue_at"] is not None) == (CHAIR, True)
    assert f"{PUBLIC}/reviews#review-{iid}" in await mailed(world, CHAIR, "Escalated", title)

    decided = await world.post(f"/initiatives/{iid}/gate-decisions", CHAIR, RECYCLE)
    assert await world.kinds(CHAIR, iid, decided["position"]) == []
    assert await world.kinds("ina-owner", iid) == await world.kinds("ina-team", iid) == ["recycled"]
    text = await mailed(world, "ina-owner", "Rework after G3 was recycled", title)
    assert f"{PUBLIC}/initiatives/{iid}#readiness-title" in text

    again = await world.post(f"/initiatives/{iid}/gate-reviews", "ina-owner")
    assert await world.kinds("ina-owner", iid, again["position"]) == []
    assert await world.kinds("ina-member", iid) == ["review"]
    await mailed(world, CHAIR, "Decide G3", title, count=2)  # one per review, however many events
    await mailed(world, CHAIR, "Escalated", title)
    assert not world.mailbox.about(address("ina-team"), title)  # the team reads a daily digest
    assert not world.mailbox.about(address("ina-viewer"), title)


async def test_an_open_incident_waits_on_the_accountable_person_until_mitigated(world: World):
    iid = await world.in_pilot()
    oversight = {
        "override_by": ["Team lead"],
        "decision_boundaries": "The AI proposes",
        "escalation_path": "Team lead",
        "accountable": "Ina-Acc",
    }
    await world.post(f"/initiatives/{iid}/pilot/oversight", "ina-owner", oversight)
    incident = {"title": "Claims refused wrongly", "severity": "high"}
    reported = await world.post(f"/initiatives/{iid}/pilot/incidents", "ina-owner", incident)
    assert await world.kinds("ina-acc", iid, reported["position"]) == ["incident"]
    assert await world.kinds("ina-owner", iid) == await world.kinds(CHAIR, iid) == []
    text = await mailed(world, "ina-acc", "Open high incident: Claims refused wrongly")
    assert f"{PUBLIC}/initiatives/{iid}#incident-{reported['record_id']}" in text

    path = f"/initiatives/{iid}/pilot/incidents/{reported['record_id']}/status"
    mitigated = await world.post(path, "ina-owner", {"status": "mitigated"})
    assert await world.kinds("ina-acc", iid, mitigated["position"]) == []


async def test_conditions_wait_on_owner_team_and_committee_and_reach_the_team_in_a_digest(
    world: World,
):
    iid = await world.in_pilot(outcome="in_review")
    title = f"Claims triage {iid[-4:]}"
    condition = {"condition_id": "dpo", "text": "Data protection officer signs off"}
    vote = {
        "gate": "G1",
        "decision": "conditional_go",
        "rationale": "Promising",
        "conditions": [condition],
    }
    decided = await world.post(f"/initiatives/{iid}/gate-decisions", CHAIR, vote)
    for who in ("ina-owner", "ina-team", CHAIR, "ina-member"):
        assert await world.kinds(who, iid, decided["position"]) == ["condition"], who
    assert await world.kinds("ina-acc", iid) == []
    text = await mailed(world, "ina-owner", "Fulfil the G1 condition: Data protection officer")
    assert f"{PUBLIC}/initiatives/{iid}#conditions-title" in text
    await mailed(world, "ina-member", "Fulfil the G1 condition", title)
    assert not world.mailbox.about(address(CHAIR), f"Fulfil the G1 condition: {condition['text']}")

    tomorrow = (datetime.now(UTC) + timedelta(days=1)).replace(hour=8, minute=0)
    assert (await world.tick(tomorrow.replace(hour=6))).digests == 0  # before TOLLGATE_DIGEST_HOUR
    assert (await world.tick(tomorrow)).digests == 1
    assert (await world.tick(tomorrow + timedelta(hours=3))).digests == 0  # one a day
    digest = await mailed(world, "ina-team", "Daily digest", title)
    assert "Fulfil the G1 condition: Data protection officer signs off" in digest
    assert f"{PUBLIC}/initiatives/{iid}#conditions-title" in digest
    assert "recycled" not in digest  # what left the inbox before the digest is not in it

    done = await world.post(f"/initiatives/{iid}/conditions/dpo/fulfil", "ina-team", {})
    for who in ("ina-owner", "ina-team", CHAIR):
        assert await world.kinds(who, iid, done["position"]) == [], who


async def test_users_set_their_address_and_how_they_hear_and_admins_set_addresses(world: World):
    mine = await world.http.patch(
        "/notifications",
        headers=world.bearer("ina-viewer"),
        json={"notify": "digest", "email": "viewer@example.test"},
    )
    assert mine.status_code == 200, mine.text
    assert mine.json() == {"name": "ina-viewer", "email": "viewer@example.test", "notify": "digest"}
    got = await world.http.get("/notifications", headers=world.bearer("ina-viewer"))
    assert got.json()["notify"] == "digest"
    bad = await world.http.patch(
        "/notifications", headers=world.bearer("ina-viewer"), json={"email": "not an address"}
    )
    assert bad.status_code == 422 and "not an e-mail address" in bad.json()["detail"]
    cleared = await world.http.patch(
        "/notifications", headers=world.bearer("ina-viewer"), json={"email": ""}
    )
    assert cleared.json()["email"] is None

    by_admin = await world.http.patch(
        "/users/ina-viewer", headers=world.bearer("ina-admin"), json={"email": "vera@example.test"}
    )
    assert by_admin.status_code == 200 and by_admin.json()["email"] == "vera@example.test"
    users = (await world.http.get("/users", headers=world.bearer("ina-admin"))).json()
    assert {u["name"]: u["email"] for u in users}["ina-viewer"] == "vera@example.test"
    refused = await world.http.patch(
        "/users/ina-owner", headers=world.bearer("ina-viewer"), json={"email": "x@example.test"}
    )
    assert refused.status_code == 403
