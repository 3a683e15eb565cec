"""The gate logic every stage decider shares: reviews, votes, quorum, hold, resume, conditions.

Rules:
- only the owner (or an admin) requests a gate review; a second request is a no-op;
- someone holding the owner role requests reviews, fulfils conditions and resumes only
  on initiatives they own or are a team member of; the committee and admins on all;
- only people with the committee role vote; agents never vote;
- a vote needs an open review; the same vote_id twice is a no-op; a voter's new
  vote supersedes their earlier one;
- go / conditional_go are refused while must-meet criteria are unmet;
  conditional_go names at least one condition, other decisions none;
- the decision takes effect when `quorum` voters agree on it;
- hold parks the stage until resumed, recycle reopens it for rework, kill is final;
- conditions are fulfilled by the owner or the committee, once;
- only Tollgate itself flags a review overdue, and only once it has waited past its
  service level (events.sla, with the clock's time in the command); a review flagged
  before, or none open, is a no-op.
"""

from __future__ import annotations

from typing import assert_never

from msgspec.structs import replace

from events import gates, sla
from events.base import Event
from events.criteria import CURRENT_VERSION, QUORUM, evaluate
from events.errors import DomainError, Forbidden, Invalid, NotFound, Refused
from events.facts import handoff
from events.gates import GateEvents
from services.conditions import merged
from services.stage import StageState, Status, guard_live, guard_member

GateEvent = (
    gates.GateReviewRequested
    | gates.GateVoteCast
    | gates.GateDecided
    | gates.InitiativeResumed
    | gates.ConditionFulfilled
    | gates.ReviewOverdue
)


def decide(kit: GateEvents, command: gates.GateCommand, state: StageState) -> list[Event]:
    match command:
        case gates.RequestGateReview():
            return _request_review(kit, command, state)
        case gates.DecideGate():
            return _vote(kit, command, state)
        case gates.FulfilCondition():
            return _fulfil(kit, command, state)
        case gates.Resume():
            return _resume(kit, command, state)
        case gates.FlagOverdueReview():
            return _flag_overdue(kit, command, state)
        case _:
            assert_never(command)


def _request_review(kit: GateEvents, c: gates.RequestGateReview, s: StageState) -> list[Event]:
    guard_live(kit, s)
    if not c.actor.has_role("owner"):
        raise Forbidden("only the initiative's owner may request a gate review")
    if not c.actor.has_role("committee"):
        guard_member(s, c.actor, f"request the {kit.gate} review")
    if s.status == "in_review":
        return []
    return [
        kit.review_requested(
            initiative_id=c.initiative_id,
            at=c.at,
            gate=kit.gate,
            requested_by=c.actor.id,
            criteria_version=CURRENT_VERSION,
        )
    ]


def _vote(kit: GateEvents, c: gates.DecideGate, s: StageState) -> list[Event]:
    if c.vote_id in s.vote_ids:
        return []
    if c.actor.kind != "person" or "committee" not in c.actor.roles:
        raise Forbidden("only steering committee members who are people may decide a gate")
    guard_live(kit, s)
    if s.status != "in_review":
        raise Refused(f"no review of {kit.gate} has been requested")
    _check_conditions(c)
    readiness = evaluate(kit.gate, s.facts)
    if c.decision in gates.PASSING and not readiness.must_met:
        unmet = list(readiness.unmet)
        raise DomainError(f"{c.decision} refused: unmet must-meet criteria: {'; '.join(unmet)}",
                          unmet=unmet)  # fmt: skip
    vote = kit.vote_cast(
        initiative_id=c.initiative_id, at=c.at, gate=kit.gate, vote_id=c.vote_id,
        voter=c.actor.id, decision=c.decision, rationale=c.rationale, conditions=c.conditions,
    )  # fmt: skip
    agreeing = [v for v in _with_vote(s.votes, vote) if v.decision == c.decision]
    quorum = QUORUM[kit.gate]
    if len(agreeing) < quorum:
        return [vote]
    conditions = merged(agreeing)
    decided = kit.decided(
        initiative_id=c.initiative_id, at=c.at, gate=kit.gate, decision=c.decision,
        rationale=c.rationale, conditions=conditions,
        decided_by=tuple(v.voter for v in agreeing), criteria_version=readiness.version,
        quorum=quorum, unmet=readiness.unmet,
        handoff=handoff(s.facts, conditions) if c.decision in gates.PASSING else None,
    )  # fmt: skip
    return [vote, decided]


def _check_conditions(c: gates.DecideGate) -> None:
    if c.decision == "conditional_go" and not c.conditions:
        raise Invalid("a conditional_go names at least one condition")
    if c.decision != "conditional_go" and c.conditions:
        raise Invalid("only a conditional_go carries conditions")


def _with_vote(
    votes: tuple[gates.GateVoteCast, ...], vote: gates.GateVoteCast
) -> tuple[gates.GateVoteCast, ...]:
    return (*(v for v in votes if v.voter != vote.voter), vote)


def _fulfil(kit: GateEvents, c: gates.FulfilCondition, s: StageState) -> list[Event]:
    guard_live(kit, s)
    if not c.actor.has_role("owner", "committee"):
        raise Forbidden("only the owner or the committee marks a condition fulfilled")
    if not c.actor.has_role("committee"):
        guard_member(s, c.actor, "mark its conditions fulfilled")
    condition = s.facts.conditions.get(c.condition_id)
    if condition is None:
        raise NotFound(f"no condition {c.condition_id} on this initiative")
    if condition.fulfilled:
        return []
    return [
        kit.condition_fulfilled(
            initiative_id=c.initiative_id, at=c.at, condition_id=c.condition_id,
            fulfilled_by=c.actor.id, evidence=c.evidence,
        )
    ]  # fmt: skip


def _resume(kit: GateEvents, c: gates.Resume, s: StageState) -> list[Event]:
    if not c.actor.has_role("owner", "committee"):
        raise Forbidden("only the owner or the committee resumes an initiative")
    if not c.actor.has_role("committee"):
        guard_member(s, c.actor, "resume it")
    if s.status in ("active", "in_review"):
        return []
    if s.status != "on_hold":
        guard_live(kit, s)
    return [
        kit.resumed(initiative_id=c.initiative_id, at=c.at, resumed_by=c.actor.id, reason=c.reason)
    ]


def _flag_overdue(kit: GateEvents, c: gates.FlagOverdueReview, s: StageState) -> list[Event]:
    if c.actor.kind != "system":
        raise Forbidden("only Tollgate's scheduler flags a review overdue")
    requested = s.review_requested_at
    if s.status != "in_review" or requested is None or s.review_overdue:
        return []
    due = sla.due_at(kit.gate, requested)
    if c.at < due:
        raise Refused(f"the {kit.gate} review is due by {due.isoformat()}; it is not overdue")
    return [
        kit.review_overdue(
            initiative_id=c.initiative_id,
            at=c.at,
            gate=kit.gate,
            requested_at=requested,
            due_at=due,
            working_days=sla.levels().working_days[kit.gate],
            sla_version=sla.CURRENT_VERSION,
            escalated_to=c.chair,
        )
    ]


def evolve(state: StageState, event: GateEvent) -> StageState:
    """Status changes of the gate; stage deciders fold the facts before calling this."""
    match event:
        case gates.GateReviewRequested():
            return replace(
                state,
                status="in_review",
                votes=(),
                review_requested_at=event.at,
                review_overdue=False,
            )
        case gates.GateVoteCast():
            votes = _with_vote(state.votes, event)
            return replace(state, votes=votes, vote_ids=state.vote_ids | {event.vote_id})
        case gates.GateDecided():
            return replace(state, status=_after(event), votes=(), last_decision=event.decision)
        case gates.InitiativeResumed():
            return replace(state, status="active")
        case gates.ConditionFulfilled():
            return state
        case gates.ReviewOverdue():
            return replace(state, review_overdue=True)
        case _:
            assert_never(event)


def _after(event: gates.GateDecided) -> Status:
    match event.decision:
        case "go" | "conditional_go":
            return "launched" if event.gate == "G4" else "passed"
        case "hold":
            return "on_hold"
        case "recycle":
            return "active"
        case "kill":
            return "killed"
