"""Agents decider: an agent's policy, its screened actions, approvals, sponsor, suspension.

Rules:
- an admin (a person, or Tollgate itself; never an agent) sets the policy; each new one is
  version n+1, the same one again is a no-op; a rule that can hold an action names its
  approver (the rule's or the policy's);
- the API screens every stage command of an agent first (the agent itself sends `screen`):
  a suspended agent, and whatever an agent may never do (vote, decide a gate, fulfil a
  condition; acknowledge an incident or hand ownership over, which only people do) whatever
  its policy says, is refused; with no policy set the agent acts as its
  role allows (allowed); otherwise the first matching rule of the matrix (action, stage,
  risk class) decides: direct is allowed (a measurement beyond the rule's deviation limit is
  held), draft is held for its approver until a deadline, refused is refused;
- every refusal is recorded and escalated to the agent's supervisor (its sponsor; with no
  sponsor the admins); an action screened twice is a no-op;
- a held action is approved or rejected by a person (never an agent, never the agent
  itself) who is its named approver or holds its role (an owner only on the initiatives
  they own or are on the team of), before its deadline; approving an
  approved one is a no-op for whoever could have approved it (anyone else is refused as
  before); one past its deadline is refused by the sweeper (`expire-held`), never let
  through;
- an admin assigns the sponsor (a person, not the agent); only the sponsor attests; an
  attestation is valid for the policy's attestation_days (counted from the sponsor's
  assignment until the first one); the sweeper suspends an agent whose attestation lapsed;
- the kill switch (`suspend`): an admin, or the accountable person of an initiative the
  agent worked on; the suspension lists those initiatives and refuses the drafts still
  waiting; an admin or the committee reinstates, once the attestation is valid again.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TypeVar, assert_never

from msgspec.structs import replace

from events import agents as a
from events.base import Fact
from events.errors import Forbidden, NotFound, Refused
from services.agents import matrix
from services.agents.custody import assign_sponsor, attest, reinstate, suspend, suspended
from services.agents.state import AgentState

NEVER_RULE = "agents never vote, decide a gate or fulfil a condition, whatever their policy says"
PEOPLE_RULE = ("only a person acknowledges an incident or hands ownership over; an agent never"
               " does, whatever its policy says")  # fmt: skip
S = TypeVar("S", bound=a.Screened)
COMMANDS = a.COMMAND_DECODER
EVENTS = a.EVENT_DECODER


State = AgentState
initial_state = AgentState()


def decide(command: a.AgentCommandUnion, state: State) -> list[Fact]:
    match command:
        case a.SetPolicy():
            return _set_policy(command, state)
        case a.Screen():
            return _screen(command, state)
        case a.Approve():
            return _approve(command, state)
        case a.Reject():
            held = _deciding(command, command.action_id, state)
            return [] if held is None else [a.ActionRejected(
                agent_id=command.agent_id, at=command.at, action_id=held.action_id,
                initiative_id=held.initiative_id, rejected_by=command.actor.id,
                held_at=held.at, reason=command.reason,
            )]  # fmt: skip
        case a.ExpireHeld():
            late = [h for h in state.held.values() if h.deadline <= command.at]
            reason = "no decision within its time limit: refused, never let through"
            return [e for h in late for e in _refusal(command, state, h, h.rule, reason)]
        case a.CheckAttestation():
            due = state.attestation_due
            if state.suspended or due is None or due > command.at:
                return []
            return suspended(command, state, "attestation lapsed")
        case a.AssignSponsor():
            return assign_sponsor(command, state)
        case a.Attest():
            return attest(command, state)
        case a.Suspend():
            return suspend(command, state)
        case a.Reinstate():
            return reinstate(command, state)
        case _:
            assert_never(command)


def _set_policy(command: a.SetPolicy, state: State) -> list[Fact]:
    if not command.actor.has_role("admin") or command.actor.kind == "agent":
        raise Forbidden("only an admin sets an agent's policy; an agent never does, not even"
                        " an admin agent: it would set its own limits")  # fmt: skip
    matrix.check(command.policy)
    if command.policy == state.policy:
        return []
    return [a.PolicySet(agent_id=command.agent_id, at=command.at, version=state.version + 1,
                        policy=command.policy, set_by=command.actor.id)]  # fmt: skip


def _screen(command: a.Screen, state: State) -> list[Fact]:
    if command.actor.id != command.agent_id or command.actor.kind != "agent":
        raise Forbidden("an agent's actions are screened as the agent itself")
    if command.action_id in state.seen:
        return []
    if state.suspended:
        return _refusal(command, state, command, "suspended", f"suspended: {state.suspended}")
    if command.action in a.NEVER:
        return _refusal(command, state, command, NEVER_RULE, NEVER_RULE)
    if command.action in a.PEOPLE_ONLY:
        return _refusal(command, state, command, PEOPLE_RULE, PEOPLE_RULE)
    if state.policy is None:
        return [_outcome(command, a.ActionAllowed, "no policy set: the agent's role applies")]
    verdict = matrix.verdict(state.policy, state.version, command)
    match verdict.mode:
        case "direct":
            return [_outcome(command, a.ActionAllowed, verdict.rule)]
        case "draft":
            assert verdict.approver is not None  # matrix.check saw to it
            deadline = command.at + timedelta(hours=verdict.hold_hours)
            return [_outcome(command, a.ActionHeld, verdict.rule, approver=verdict.approver,
                             deadline=deadline, command=command.body)]  # fmt: skip
        case "refused":
            return _refusal(command, state, command, verdict.rule, f"refused by {verdict.rule}")
        case _:
            assert_never(verdict.mode)


def _outcome(screened: a.Screen, kind: type[S], rule: str, **extra: object) -> S:
    return kind(agent_id=screened.agent_id, at=screened.at, action_id=screened.action_id,
                action=screened.action, initiative_id=screened.initiative_id,
                stage=screened.stage, rule=rule[:200], **extra)  # fmt: skip


def _refusal(
    command: a.AgentCommand, state: State, action: a.Screen | a.ActionHeld, rule: str, why: str
) -> list[Fact]:
    """Refused, and escalated to the supervisor: the sponsor, then the admins."""
    refused = a.ActionRefused(
        agent_id=command.agent_id, at=command.at, action_id=action.action_id,
        action=action.action, initiative_id=action.initiative_id, stage=action.stage,
        rule=rule[:200], reason=why[:200],
    )  # fmt: skip
    escalated = a.ActionEscalated(agent_id=command.agent_id, at=command.at,
                                  action_id=action.action_id, initiative_id=action.initiative_id,
                                  to=state.sponsor, reason=why[:200])  # fmt: skip
    return [refused, escalated]


def _approve(command: a.Approve, state: State) -> list[Fact]:
    held = _deciding(command, command.action_id, state)
    if held is None:
        return []
    assert held.stage is not None  # a held action names the stage it goes to
    return [a.ActionApproved(
        agent_id=command.agent_id, at=command.at, action_id=held.action_id,
        initiative_id=held.initiative_id, stage=held.stage, approved_by=command.actor.id,
        held_at=held.at, command=held.command,
    )]  # fmt: skip


def _deciding(command: a.Approve | a.Reject, action_id: str, state: State) -> a.ActionHeld | None:
    """The held action a person may decide now; None when it was approved already."""
    held = state.held.get(action_id)
    if held is None:
        if action_id in state.approved:
            approver = state.approvers.get(action_id)
            if approver is not None:
                _guard_approver(command, *approver)
            return None
        if action_id in state.seen:
            raise Refused(f"action {action_id} is not waiting: it was rejected or refused")
        raise NotFound(f"{command.agent_id} has no action {action_id}")
    _guard_approver(command, held.approver, held.initiative_id)
    if held.deadline <= command.at:
        raise Refused(f"the time limit passed at {held.deadline:%Y-%m-%d %H:%M} UTC: "
                      "the action is refused, never let through")  # fmt: skip
    return held


def _guard_approver(command: a.Approve | a.Reject, approver: a.Approver, initiative: str) -> None:
    actor = command.actor
    if actor.kind != "person" or actor.id == command.agent_id:
        raise Forbidden("only a person approves or rejects an agent's work; agents never do")
    named = actor.id == approver.account
    if not named and not (approver.role is not None and actor.has_role(approver.role)):
        raise Forbidden(f"{actor.id} may not decide this draft: it waits for {approver.label()}")
    owner_only = approver.role == "owner" and "admin" not in actor.roles
    if not named and owner_only and initiative not in command.member_of:
        raise Forbidden(f"{actor.id} may not decide this draft: an owner decides drafts only on"
                        " the initiatives they own or are on the team of")  # fmt: skip


def evolve(state: State, event: a.AnyAgentEvent) -> State:
    match event:
        case a.PolicySet():
            return replace(state, policy=event.policy, version=event.version)
        case a.ActionAllowed():
            return replace(
                state,
                seen=state.seen | {event.action_id},
                worked_on=_with(state.worked_on, event.initiative_id),
            )
        case a.ActionHeld():
            return replace(
                state,
                seen=state.seen | {event.action_id},
                held={**state.held, event.action_id: event},
                approvers={
                    **state.approvers,
                    event.action_id: (event.approver, event.initiative_id),
                },
                worked_on=_with(state.worked_on, event.initiative_id),
            )
        case a.ActionRefused() | a.ActionRejected() | a.ActionApproved():
            held = {k: v for k, v in state.held.items() if k != event.action_id}
            approved = isinstance(event, a.ActionApproved)
            return replace(
                state,
                held=held,
                seen=state.seen | {event.action_id},
                approved=state.approved | ({event.action_id} if approved else set()),
            )
        case a.ActionEscalated():
            return state
        case a.SponsorAssigned():
            due = state.attestation_due or event.at + timedelta(days=state.attestation_days)
            return replace(state, sponsor=event.sponsor, attestation_due=due)
        case a.AgentAttested():
            return replace(state, attestation_due=event.valid_until)
        case a.AgentSuspended():
            return replace(state, suspended=event.reason)
        case a.AgentReinstated():
            return replace(state, suspended=None)
        case _:
            assert_never(event)


def _with(initiatives: tuple[str, ...], initiative_id: str) -> tuple[str, ...]:
    return initiatives if initiative_id in initiatives else (*initiatives, initiative_id)
