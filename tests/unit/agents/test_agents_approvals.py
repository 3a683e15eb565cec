"""Agents decider: held drafts approved, rejected or expired; readiness counts only approved
work."""

from __future__ import annotations

from datetime import timedelta
from functools import reduce

import msgspec

from events import agents as a
from events import mvp
from events.base import SYSTEM, Fact
from events.criteria import evaluate
from events.errors import Forbidden, NotFound, Refused
from services.agents import decider
from services.mvp import decider as mvp_decider
from tests.unit.agents.given import (
    AGENT_ID,
    AT,
    BOT,
    COMMITTEE,
    ID,
    OTHER_BOT,
    OWNER,
    SPONSOR,
    STRANGER,
    held,
    policy,
    policy_set,
    screen,
    sponsored,
)
from tests.unit.deciders import given
from tests.unit.histories import mvp_opened

DRAFTS = policy(a.Rule(action="record-document", mode="draft"))
RULE = "policy v1 rule 1: record-document -> draft"
RUNBOOK = mvp.RecordDocument(
    initiative_id=ID, at=AT, actor=BOT, document_id="d-2", kind="runbook",
    link="https://wiki/runbook", author="doc-bot",
)  # fmt: skip
DRAFT = screen(body=RUNBOOK)


def waiting() -> list[Fact]:
    return [*sponsored(), *policy_set(DRAFTS), held(DRAFT, RULE)]


def approve(actor=OWNER, minutes: int = 30) -> a.Approve:  # type: ignore[no-untyped-def]
    return a.Approve(agent_id=AGENT_ID, at=AT + timedelta(minutes=minutes), actor=actor,
                     action_id=DRAFT.action_id)  # fmt: skip


def approved(minutes: int = 30) -> a.ActionApproved:
    return a.ActionApproved(
        agent_id=AGENT_ID, at=AT + timedelta(minutes=minutes), action_id=DRAFT.action_id,
        initiative_id=ID, stage="mvp", approved_by=OWNER.id, held_at=AT, command=DRAFT.body,
    )  # fmt: skip


def test_the_named_approver_approves_a_held_draft_with_its_command() -> None:
    given(decider, waiting()).when(approve()).then(approved())


def test_approving_an_approved_draft_again_is_ignored() -> None:
    given(decider, waiting(), [approved()]).when(approve()).ignored()


def test_after_the_approval_someone_else_than_the_approver_is_still_refused() -> None:
    history = [*waiting(), approved()]
    given(decider, history).when(approve(STRANGER)).refused(Forbidden, "waits for olga")
    given(decider, history).when(approve(BOT)).refused(Forbidden, "agents never")
    reject = a.Reject(agent_id=AGENT_ID, at=AT, actor=STRANGER, action_id=DRAFT.action_id)
    given(decider, history).when(reject).refused(Forbidden, "waits for olga")


def test_an_agent_never_approves_not_even_its_own_draft() -> None:
    given(decider, waiting()).when(approve(OTHER_BOT)).refused(Forbidden, "agents never")
    given(decider, waiting()).when(approve(BOT)).refused(Forbidden, "agents never")


def test_someone_else_than_the_approver_may_not_decide() -> None:
    given(decider, waiting()).when(approve(STRANGER)).refused(Forbidden, "waits for olga")


def test_a_role_approver_is_anyone_holding_the_role() -> None:
    by_role = a.Policy(rules=(a.Rule(action="record-document", mode="draft",
                                     approver=a.Approver(role="committee")),))  # fmt: skip
    rule = "policy v1 rule 1: record-document -> draft"
    event = msgspec.structs.replace(held(DRAFT, rule, hours=72), approver=by_role.rules[0].approver)
    history = [*policy_set(by_role), event]
    [done] = given(decider, history).when(approve(COMMITTEE)).decided()
    assert isinstance(done, a.ActionApproved) and done.approved_by == COMMITTEE.id
    given(decider, history).when(approve(OWNER)).refused(Forbidden, "any committee")


def test_a_draft_for_the_owner_role_is_decided_only_by_an_owner_of_that_initiative() -> None:
    by_owner = a.Policy(rules=(a.Rule(action="record-document", mode="draft",
                                      approver=a.Approver(role="owner")),))  # fmt: skip
    event = msgspec.structs.replace(held(DRAFT, RULE), approver=a.Approver(role="owner"))
    history = [*policy_set(by_owner), event]
    elsewhere = msgspec.structs.replace(approve(SPONSOR), member_of=("init-2",))
    given(decider, history).when(elsewhere).refused(Forbidden, "they own or are on the team")
    reject = a.Reject(agent_id=AGENT_ID, at=AT, actor=SPONSOR, action_id=DRAFT.action_id)
    given(decider, history).when(reject).refused(Forbidden, "they own or are on the team")
    mine = msgspec.structs.replace(approve(SPONSOR), member_of=("init-2", ID))
    [done] = given(decider, history).when(mine).decided()
    assert isinstance(done, a.ActionApproved) and done.approved_by == SPONSOR.id
    # asked again once approved, an owner elsewhere is still refused
    given(decider, [*history, done]).when(elsewhere).refused(Forbidden, "on the team")


def test_the_approver_rejects_with_a_reason_and_then_it_cannot_be_approved() -> None:
    reject = a.Reject(agent_id=AGENT_ID, at=AT, actor=OWNER, action_id="x-1", reason="Wrong doc")
    rejected = a.ActionRejected(agent_id=AGENT_ID, at=AT, action_id="x-1", initiative_id=ID,
                                rejected_by=OWNER.id, held_at=AT, reason="Wrong doc")  # fmt: skip
    given(decider, waiting()).when(reject).then(rejected)
    given(decider, waiting(), [rejected]).when(approve()).refused(Refused, "not waiting")


def test_an_unknown_action_is_not_found() -> None:
    unknown = a.Approve(agent_id=AGENT_ID, at=AT, actor=OWNER, action_id="nope")
    given(decider, waiting()).when(unknown).refused(NotFound)


def test_a_held_action_with_no_approval_in_time_is_refused_never_let_through() -> None:
    late = AT + timedelta(hours=48)
    sweep = a.ExpireHeld(agent_id=AGENT_ID, at=late, actor=SYSTEM)
    reason = "no decision within its time limit: refused, never let through"
    given(decider, waiting()).when(sweep).then(
        a.ActionRefused(agent_id=AGENT_ID, at=late, action_id="x-1", action="record-document",
                        initiative_id=ID, stage="mvp", rule=RULE, reason=reason),
        a.ActionEscalated(agent_id=AGENT_ID, at=late, action_id="x-1", initiative_id=ID,
                          to=SPONSOR.id, reason=reason),
    )  # fmt: skip
    early = a.ExpireHeld(agent_id=AGENT_ID, at=late - timedelta(minutes=1), actor=SYSTEM)
    given(decider, waiting()).when(early).ignored()
    given(decider, waiting()).when(approve(minutes=48 * 60)).refused(Refused, "never let through")


def test_an_expired_action_can_no_longer_be_approved() -> None:
    sweep = a.ExpireHeld(agent_id=AGENT_ID, at=AT + timedelta(days=3), actor=SYSTEM)
    expired = given(decider, waiting()).when(sweep).decided()
    given(decider, waiting(), expired).when(approve()).refused(Refused, "not waiting")


def g4_documentation(events: list[Fact]) -> bool:
    state = reduce(mvp_decider.evolve, events, mvp_decider.initial_state)  # type: ignore[arg-type]
    [result] = [c for c in evaluate("G4", state.facts).criteria if c.id == "g4.documentation"]
    return result.met


def test_a_held_draft_counts_for_readiness_only_once_approved() -> None:
    model_card = mvp.DocumentRecorded(initiative_id=ID, at=AT, document_id="d-1",
                                      kind="model_card", version=1, link="https://d",
                                      author="Carl")  # fmt: skip
    stage: list[Fact] = [*mvp_opened(), model_card]
    # the agent's runbook is held: the MVP stage never received it, G4 documentation unmet
    [on_hold] = given(decider, sponsored(), policy_set(DRAFTS)).when(DRAFT).decided()
    assert isinstance(on_hold, a.ActionHeld)
    assert not g4_documentation(stage)
    # approved: the stored command, applied by the MVP stage, completes the documentation
    [done] = given(decider, waiting()).when(approve()).decided()
    assert isinstance(done, a.ActionApproved)
    command = mvp.COMMAND_DECODER.decode(done.command)
    assert command == RUNBOOK and command.actor.kind == "agent"
    state = reduce(mvp_decider.evolve, stage, mvp_decider.initial_state)  # type: ignore[arg-type]
    applied = mvp_decider.decide(command, state)
    assert g4_documentation([*stage, *applied])
