"""Ideation decider: the initiative's first stream, from IdeaProposed to the G1 decision."""

from __future__ import annotations

from typing import assert_never

import msgspec
from msgspec.structs import replace

from events import gates, ideation, people
from events.base import Event
from events.business_case import RefineBusinessCase
from events.compliance import RecordAiRole, RecordObligationStatus
from events.errors import Refused
from events.facts import apply
from events.ideation import (
    AnyIdeationEvent,
    DecideSourcing,
    HoldWorkshop,
    IdeationCommand,
    PreclassifyRisk,
    ProposeIdea,
    RefineIdea,
    ScoreIdea,
)
from events.people import free_text
from events.records import Scores
from services import business_case, compliance, gate, ownership
from services.stage import StageState, guard_contributor, guard_work, record

State = StageState
initial_state = StageState()
KIT = ideation.GATE
COMMANDS = ideation.COMMAND_DECODER
EVENTS: msgspec.json.Decoder[AnyIdeationEvent] = ideation.EVENT_DECODER
REFINABLE = ("title", "problem_statement", "business_goal", "sponsor", "tags")


def decide(command: IdeationCommand, state: State) -> list[Event]:
    """Rules (besides the shared ones in services.stage and services.gate):

    - a contributor or owner proposes an idea once; proposing the same title again is a
      no-op, a different one under the same id is refused;
    - refining changes only what differs; a refinement that changes nothing is a no-op;
      the owner changes only by a handover (services.ownership), not by a refinement;
    - team members are accounts or free-text names (a team given as names only is free text);
    - a workshop is recorded once per workshop_id;
    - scoring, sourcing and risk pre-classification identical to the current ones are
      no-ops; the priority is derived from the scores.
    """
    match command:
        case ProposeIdea():
            return _propose(command, state)
        case RefineIdea():
            guard_work(KIT, state, command.actor)
            return _refine(command, state)
        case HoldWorkshop():
            guard_work(KIT, state, command.actor)
            held = command.workshop_id in state.facts.workshops
            return [] if held else [record(command, ideation.WorkshopHeld)]
        case ScoreIdea():
            guard_work(KIT, state, command.actor)
            return _score(command, state)
        case DecideSourcing():
            guard_work(KIT, state, command.actor)
            same = state.facts.sourcing == command.sourcing
            return [] if same else [record(command, ideation.SourcingDecided)]
        case PreclassifyRisk():
            guard_work(KIT, state, command.actor)
            same = state.facts.risk_preclass == command.risk_class
            return [] if same else [record(command, ideation.RiskPreclassified)]
        case (
            gates.RequestGateReview()
            | gates.DecideGate()
            | gates.FulfilCondition()
            | gates.Resume()
            | gates.FlagOverdueReview()
        ):
            return gate.decide(KIT, command, state)
        case people.HandOverOwnership():
            return ownership.hand_over(KIT, command, state)
        case RefineBusinessCase():
            return business_case.refine(KIT, command, state, ideation.BusinessCaseRefined)
        case RecordAiRole():
            return compliance.record_role(KIT, command, state, ideation.AiRoleRecorded)
        case RecordObligationStatus():
            return compliance.record_status(KIT, command, state, ideation.ObligationStatusRecorded)
        case _:
            assert_never(command)


def _propose(command: ProposeIdea, state: State) -> list[Event]:
    guard_contributor(KIT, command.actor)
    if state.status == "not_started":
        members = command.team_members or free_text(command.team)
        team = tuple(m.name for m in members)
        return [record(command, ideation.IdeaProposed, team=team, team_members=members)]
    if state.facts.title == command.title:
        return []
    raise Refused(f"initiative {command.initiative_id} was already proposed")


def _refine(command: RefineIdea, state: State) -> list[Event]:
    if command.owner not in (None, state.facts.owner):
        raise Refused(
            "the owner is not refined but handed over: POST /initiatives/"
            f"{command.initiative_id}/owner (by the owner, the committee or an admin)"
        )
    changed: dict[str, object] = {
        name: getattr(command, name)
        for name in REFINABLE
        if getattr(command, name) not in (None, getattr(state.facts, name))
    }
    members = command.team_members
    if members is None and command.team is not None:
        members = free_text(command.team)
    if members is not None and members != state.facts.team_members:
        changed.update(team=tuple(m.name for m in members), team_members=members)
    if command.ai_category not in (None, state.facts.ai_category):
        changed["ai_category"] = command.ai_category
    if not changed:
        return []
    fields = {"initiative_id": command.initiative_id, "at": command.at, **changed}
    return [msgspec.convert(fields, ideation.IdeaRefined)]


def _score(command: ScoreIdea, state: State) -> list[Event]:
    scores = Scores(
        value=command.value,
        feasibility=command.feasibility,
        risk=command.risk,
        strategic_fit=command.strategic_fit,
    )
    if state.facts.scores == scores:
        return []
    derived = ideation.priority(
        command.value, command.feasibility, command.risk, command.strategic_fit
    )
    return [record(command, ideation.IdeaScored, priority=derived)]


def evolve(state: State, event: AnyIdeationEvent) -> State:
    state = replace(state, facts=apply(state.facts, event))
    match event:
        case ideation.IdeaProposed():
            return replace(state, status="active")
        case (
            ideation.IdeaRefined()
            | ideation.WorkshopHeld()
            | ideation.IdeaScored()
            | ideation.SourcingDecided()
            | ideation.RiskPreclassified()
        ):
            return state
        case (
            ideation.GateReviewRequested()
            | ideation.GateVoteCast()
            | ideation.GateDecided()
            | ideation.InitiativeResumed()
            | ideation.ConditionFulfilled()
            | ideation.ReviewOverdue()
        ):
            return gate.evolve(state, event)
        case ideation.OwnershipHandedOver():
            return state
        case ideation.BusinessCaseRefined():
            return state
        case ideation.AiRoleRecorded() | ideation.ObligationStatusRecorded():
            return state
        case _:
            assert_never(event)
