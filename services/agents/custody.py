"""Who answers for an agent: its sponsor's attestation, the kill switch, reinstatement
(the rules are in services.agents.decider's docstring)."""

from __future__ import annotations

from datetime import timedelta

from events import agents as a
from events.base import Fact
from events.errors import Forbidden, Refused
from services.agents.state import AgentState


def assign_sponsor(command: a.AssignSponsor, state: AgentState) -> list[Fact]:
    if not command.actor.has_role("admin") or command.actor.kind == "agent":
        raise Forbidden("only an admin assigns an agent's sponsor; an agent never does")
    if command.sponsor == command.agent_id:
        raise Refused("an agent cannot sponsor itself: its sponsor is a person")
    if command.sponsor == state.sponsor:
        return []
    return [
        a.SponsorAssigned(
            agent_id=command.agent_id,
            at=command.at,
            sponsor=command.sponsor,
            assigned_by=command.actor.id,
        )
    ]


def attest(command: a.Attest, state: AgentState) -> list[Fact]:
    if state.sponsor is None:
        raise Refused(f"{command.agent_id} has no sponsor yet: an admin assigns one first")
    if command.actor.id != state.sponsor or command.actor.kind != "person":
        raise Forbidden(f"only {command.agent_id}'s sponsor, {state.sponsor}, attests it")
    until = command.at + timedelta(days=state.attestation_days)
    return [
        a.AgentAttested(
            agent_id=command.agent_id,
            at=command.at,
            attested_by=command.actor.id,
            valid_until=until,
        )
    ]


def suspend(command: a.Suspend, state: AgentState) -> list[Fact]:
    accountable = set(command.accountable_for) & set(state.worked_on)
    if not command.actor.has_role("admin") and not accountable:
        raise Forbidden("an admin, or the accountable person of an initiative the agent "
                        "worked on, suspends an agent")  # fmt: skip
    return [] if state.suspended else suspended(command, state, command.reason)


def suspended(command: a.AgentCommand, state: AgentState, reason: str) -> list[Fact]:
    """The suspension, and its drafts still waiting refused: none reaches a stage after."""
    stop = a.AgentSuspended(
        agent_id=command.agent_id,
        at=command.at,
        reason=reason,
        suspended_by=command.actor.id,
        initiatives=state.worked_on,
    )
    why = f"its agent was suspended: {reason}"[:200]
    refused = [
        a.ActionRefused(
            agent_id=h.agent_id,
            at=command.at,
            action_id=h.action_id,
            action=h.action,
            initiative_id=h.initiative_id,
            stage=h.stage,
            rule=h.rule,
            reason=why,
        )
        for h in state.held.values()
    ]
    return [stop, *refused]  # fmt: skip


def reinstate(command: a.Reinstate, state: AgentState) -> list[Fact]:
    if not command.actor.has_role("admin", "committee") or command.actor.kind != "person":
        raise Forbidden("an admin or the committee reinstates a suspended agent")
    if not state.suspended:
        return []
    due = state.attestation_due
    if due is not None and due <= command.at:
        raise Refused(f"{command.agent_id}'s attestation lapsed on {due:%Y-%m-%d}: its "
                      "sponsor attests it again first")  # fmt: skip
    return [
        a.AgentReinstated(
            agent_id=command.agent_id,
            at=command.at,
            reinstated_by=command.actor.id,
            reason=command.reason,
        )
    ]
