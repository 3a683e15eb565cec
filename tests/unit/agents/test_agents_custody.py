"""Agents decider: sponsor, attestation, the kill switch and reinstatement."""

from __future__ import annotations

from datetime import timedelta

from events import agents as a
from events.base import SYSTEM, Actor, Fact
from events.errors import Forbidden, Refused
from services.agents import decider
from tests.unit.agents.given import (
    ADMIN,
    AGENT_ID,
    AT,
    BOT,
    COMMITTEE,
    ID,
    OWNER,
    SPONSOR,
    STRANGER,
    allowed,
    screen,
    sponsored,
)
from tests.unit.deciders import given

DAY = timedelta(days=1)


def worked() -> list[Fact]:
    return [allowed(screen(action_id="x-1"), "r"),
            allowed(screen(action_id="x-2", initiative_id="init-2"), "r"),
            allowed(screen(action_id="x-3"), "r")]  # fmt: skip


def suspended(reason: str = "Leaked data", by: str = ADMIN.id) -> a.AgentSuspended:
    return a.AgentSuspended(agent_id=AGENT_ID, at=AT, reason=reason, suspended_by=by,
                            initiatives=(ID, "init-2"))  # fmt: skip


def test_an_admin_assigns_a_person_as_sponsor() -> None:
    assign = a.AssignSponsor(agent_id=AGENT_ID, at=AT, actor=ADMIN, sponsor=SPONSOR.id)
    given(decider).when(assign).then(*sponsored())
    given(decider, sponsored()).when(assign).ignored()
    mine = a.AssignSponsor(agent_id=AGENT_ID, at=AT, actor=OWNER, sponsor=OWNER.id)
    given(decider).when(mine).refused(Forbidden, "admin")
    itself = a.AssignSponsor(agent_id=AGENT_ID, at=AT, actor=ADMIN, sponsor=AGENT_ID)
    given(decider).when(itself).refused(Refused, "cannot sponsor itself")
    admin_bot = Actor(id="ops-bot", name="Ops bot", kind="agent", roles=("admin",))
    by_bot = a.AssignSponsor(agent_id=AGENT_ID, at=AT, actor=admin_bot, sponsor=SPONSOR.id)
    given(decider).when(by_bot).refused(Forbidden, "an agent never does")


def test_only_the_sponsor_attests_for_the_policy_s_days() -> None:
    attest = a.Attest(agent_id=AGENT_ID, at=AT + DAY, actor=SPONSOR)
    given(decider, sponsored()).when(attest).then(
        a.AgentAttested(agent_id=AGENT_ID, at=AT + DAY, attested_by=SPONSOR.id,
                        valid_until=AT + 91 * DAY)
    )  # fmt: skip
    given(decider, sponsored()).when(a.Attest(agent_id=AGENT_ID, at=AT, actor=ADMIN)).refused(
        Forbidden, "sponsor, sam"
    )
    given(decider).when(attest).refused(Refused, "no sponsor")


def test_a_lapsed_attestation_suspends_the_agent() -> None:
    check = a.CheckAttestation(agent_id=AGENT_ID, at=AT + 90 * DAY, actor=SYSTEM)
    given(decider, sponsored(), worked()).when(check).then(
        a.AgentSuspended(agent_id=AGENT_ID, at=AT + 90 * DAY, reason="attestation lapsed",
                         suspended_by=SYSTEM.id, initiatives=(ID, "init-2"))
    )  # fmt: skip
    attested = a.AgentAttested(agent_id=AGENT_ID, at=AT + 80 * DAY, attested_by=SPONSOR.id,
                               valid_until=AT + 170 * DAY)  # fmt: skip
    given(decider, sponsored(), [attested]).when(check).ignored()
    given(decider).when(check).ignored()  # no sponsor yet: nothing to lapse


def test_the_kill_switch_suspends_at_once_listing_the_initiatives_it_worked_on() -> None:
    kill = a.Suspend(agent_id=AGENT_ID, at=AT, actor=ADMIN, reason="Leaked data")
    given(decider, worked()).when(kill).then(suspended())
    given(decider, worked(), [suspended()]).when(kill).ignored()


def test_the_accountable_person_of_an_initiative_it_worked_on_may_pull_the_switch() -> None:
    kill = a.Suspend(agent_id=AGENT_ID, at=AT, actor=OWNER, reason="Leaked data",
                     accountable_for=("init-2",))  # fmt: skip
    given(decider, worked()).when(kill).then(suspended(by=OWNER.id))
    elsewhere = a.Suspend(agent_id=AGENT_ID, at=AT, actor=STRANGER, reason="r",
                          accountable_for=("init-9",))  # fmt: skip
    given(decider, worked()).when(elsewhere).refused(Forbidden, "accountable person")


def test_the_committee_reinstates_a_suspended_agent() -> None:
    back = a.Reinstate(agent_id=AGENT_ID, at=AT, actor=COMMITTEE, reason="Fixed")
    given(decider, [suspended()]).when(back).then(
        a.AgentReinstated(agent_id=AGENT_ID, at=AT, reinstated_by=COMMITTEE.id, reason="Fixed")
    )
    given(decider).when(back).ignored()
    by_agent = a.Reinstate(agent_id=AGENT_ID, at=AT, actor=BOT)
    given(decider, [suspended()]).when(by_agent).refused(Forbidden)


def test_a_lapsed_agent_is_reinstated_only_after_a_new_attestation() -> None:
    later = AT + 100 * DAY
    lapsed = [*sponsored(), suspended("attestation lapsed", SYSTEM.id)]
    back = a.Reinstate(agent_id=AGENT_ID, at=later, actor=ADMIN)
    given(decider, lapsed).when(back).refused(Refused, "attests it again")
    attested = a.AgentAttested(agent_id=AGENT_ID, at=later, attested_by=SPONSOR.id,
                               valid_until=later + 90 * DAY)  # fmt: skip
    [event] = given(decider, lapsed, [attested]).when(back).decided()
    assert isinstance(event, a.AgentReinstated)


def test_suspending_refuses_the_drafts_still_waiting() -> None:
    draft = screen(action_id="x-9")
    waiting = a.ActionHeld(
        agent_id=AGENT_ID, at=AT, action_id="x-9", action=draft.action, initiative_id=ID,
        stage="mvp", rule="r", approver=a.Approver(account=OWNER.id),
        deadline=AT + DAY, command=draft.body,
    )  # fmt: skip
    kill = a.Suspend(agent_id=AGENT_ID, at=AT, actor=ADMIN, reason="Leaked data")
    stop, refused = given(decider, [waiting]).when(kill).decided()
    assert isinstance(stop, a.AgentSuspended) and stop.initiatives == (ID,)
    assert isinstance(refused, a.ActionRefused) and refused.action_id == "x-9"
    assert refused.reason == "its agent was suspended: Leaked data"
    approve = a.Approve(agent_id=AGENT_ID, at=AT, actor=OWNER, action_id="x-9")
    given(decider, [waiting, stop, refused]).when(approve).refused(Refused, "not waiting")
