"""PoC decider: opened by G1's go, it gathers the evidence for G2."""

from __future__ import annotations

from typing import assert_never

import msgspec
from msgspec.structs import replace

from events import gates, people, poc
from events.base import Event
from events.business_case import RefineBusinessCase
from events.compliance import RecordAiRole, RecordObligationStatus
from events.errors import NotFound
from events.facts import apply
from events.poc import (
    AddHypothesis,
    AnyPocEvent,
    ChooseModel,
    ConfirmDataSource,
    ConfirmRiskClass,
    OpenPoc,
    PocCommand,
    RecordResult,
)
from services import business_case, compliance, gate, ownership
from services.stage import StageState, guard_work, open_stage, record

State = StageState
initial_state = StageState()
KIT = poc.GATE
COMMANDS = poc.COMMAND_DECODER
EVENTS: msgspec.json.Decoder[AnyPocEvent] = poc.EVENT_DECODER


def decide(command: PocCommand, state: State) -> list[Event]:
    """Rules (besides the shared ones in services.stage and services.gate):

    - a hypothesis is added once per hypothesis_id;
    - a result needs a known hypothesis; whether it validates the hypothesis follows
      from the success criterion; the same result again is a no-op, a new one supersedes;
    - a data source is confirmed once per source_id;
    - choosing the current model or confirming the current risk class again is a no-op.
    """
    match command:
        case OpenPoc():
            return open_stage(command, state, poc.PocOpened)
        case AddHypothesis():
            guard_work(KIT, state, command.actor)
            known = command.hypothesis_id in state.facts.hypotheses
            return [] if known else [record(command, poc.HypothesisAdded)]
        case RecordResult():
            guard_work(KIT, state, command.actor)
            return _result(command, state)
        case ConfirmDataSource():
            guard_work(KIT, state, command.actor)
            known = command.source_id in state.facts.data_sources
            return [] if known else [record(command, poc.DataSourceConfirmed)]
        case ChooseModel():
            guard_work(KIT, state, command.actor)
            same = state.facts.model_choice == command.choice
            return [] if same else [record(command, poc.ModelChosen)]
        case ConfirmRiskClass():
            guard_work(KIT, state, command.actor)
            facts = state.facts
            same = facts.risk_confirmed and facts.risk_class == command.risk_class
            return [] if same else [record(command, poc.RiskClassConfirmed)]
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
            return business_case.refine(KIT, command, state, poc.BusinessCaseRefined)
        case RecordAiRole():
            return compliance.record_role(KIT, command, state, poc.AiRoleRecorded)
        case RecordObligationStatus():
            return compliance.record_status(KIT, command, state, poc.ObligationStatusRecorded)
        case _:
            assert_never(command)


def _result(command: RecordResult, state: State) -> list[Event]:
    h = state.facts.hypotheses.get(command.hypothesis_id)
    if h is None:
        raise NotFound(f"no hypothesis {command.hypothesis_id} in this PoC")
    if (h.result, h.evidence_link) == (command.value, command.evidence_link):
        return []
    ok = poc.validated(h.comparator, command.value, h.threshold)
    return [record(command, poc.ExperimentResultRecorded, validated=ok)]


def evolve(state: State, event: AnyPocEvent) -> State:
    state = replace(state, facts=apply(state.facts, event))
    match event:
        case poc.PocOpened():
            return replace(state, status="active")
        case (
            poc.HypothesisAdded()
            | poc.ExperimentResultRecorded()
            | poc.DataSourceConfirmed()
            | poc.ModelChosen()
            | poc.RiskClassConfirmed()
        ):
            return state
        case (
            poc.GateReviewRequested()
            | poc.GateVoteCast()
            | poc.GateDecided()
            | poc.InitiativeResumed()
            | poc.ConditionFulfilled()
            | poc.ReviewOverdue()
        ):
            return gate.evolve(state, event)
        case poc.OwnershipHandedOver():
            return state
        case poc.BusinessCaseRefined():
            return state
        case poc.AiRoleRecorded() | poc.ObligationStatusRecorded():
            return state
        case _:
            assert_never(event)
