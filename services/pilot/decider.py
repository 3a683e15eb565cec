"""Pilot decider: opened by G2's go; KPIs, oversight and incidents decide G3."""

from __future__ import annotations

from typing import assert_never

import msgspec
from msgspec.structs import replace

from events import gates, people, pilot
from events.base import Event
from events.business_case import RefineBusinessCase
from events.compliance import RecordAiRole, RecordObligationStatus
from events.errors import NotFound
from events.facts import apply
from events.kpis import KpiDefinition, RecordMeasurement
from events.pilot import (
    AnyPilotEvent,
    ChangeIncidentStatus,
    DefineKpi,
    DefineScope,
    DesignOversight,
    OpenPilot,
    PilotCommand,
    RecordFeedback,
    ReportIncident,
)
from events.records import Oversight, Scope
from services import business_case, compliance, gate, ownership
from services.pilot import incidents
from services.stage import StageState, guard_work, open_stage, record, record_measurement

State = StageState
initial_state = StageState()
KIT = pilot.GATE
COMMANDS = pilot.COMMAND_DECODER
EVENTS: msgspec.json.Decoder[AnyPilotEvent] = pilot.EVENT_DECODER


def decide(command: PilotCommand, state: State) -> list[Event]:
    """Rules (besides the shared ones in services.stage and services.gate):

    - scope, a KPI definition and the oversight design identical to the current ones
      are no-ops; a changed one supersedes (a KPI keeps its measurements);
    - a measurement needs a defined KPI, and is recorded once per measurement_id;
    - an incident is reported once per incident_id; a status change needs a known
      incident and a different status;
    - feedback is recorded once per feedback_id;
    - acknowledging and escalating an incident follow services.pilot.incidents.
    """
    match command:
        case OpenPilot():
            return open_stage(command, state, pilot.PilotOpened)
        case DefineScope():
            guard_work(KIT, state, command.actor)
            scope = msgspec.convert(msgspec.structs.asdict(command), Scope)
            return [] if state.facts.scope == scope else [record(command, pilot.PilotScopeDefined)]
        case DefineKpi():
            guard_work(KIT, state, command.actor)
            return _define_kpi(command, state)
        case RecordMeasurement():
            return record_measurement(KIT, command, state, pilot.KpiMeasured)
        case DesignOversight():
            guard_work(KIT, state, command.actor)
            design = msgspec.convert(msgspec.structs.asdict(command), Oversight)
            same = state.facts.oversight == design
            return [] if same else [record(command, pilot.OversightDesigned)]
        case ReportIncident():
            guard_work(KIT, state, command.actor)
            c = command
            compliance.check_serious(c.at, c.serious, c.aware_at, c.causal_link_at)
            known = command.incident_id in state.facts.incidents
            return [] if known else [record(command, pilot.IncidentReported)]
        case ChangeIncidentStatus():
            guard_work(KIT, state, command.actor)
            return _change_incident(command, state)
        case pilot.AcknowledgeIncident():
            return incidents.acknowledge(command, state)
        case pilot.EscalateIncident():
            return incidents.escalate(command, state)
        case RecordFeedback():
            guard_work(KIT, state, command.actor)
            known = command.feedback_id in state.facts.feedback
            return [] if known else [record(command, pilot.FeedbackRecorded)]
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
            return business_case.refine(KIT, command, state, pilot.BusinessCaseRefined)
        case RecordAiRole():
            return compliance.record_role(KIT, command, state, pilot.AiRoleRecorded)
        case RecordObligationStatus():
            return compliance.record_status(KIT, command, state, pilot.ObligationStatusRecorded)
        case _:
            assert_never(command)


def _define_kpi(command: DefineKpi, state: State) -> list[Event]:
    fields = {k: v for k, v in msgspec.structs.asdict(command).items() if k != "actor"}
    definition = msgspec.convert(fields, KpiDefinition)
    known = state.facts.kpis.get(command.kpi_id)
    if known and known.definition == definition:
        return []
    event = pilot.KpiDefined(initiative_id=command.initiative_id, at=command.at, kpi=definition)
    return [event]


def _change_incident(command: ChangeIncidentStatus, state: State) -> list[Event]:
    incident = state.facts.incidents.get(command.incident_id)
    if incident is None:
        raise NotFound(f"no incident {command.incident_id} in this pilot")
    if incident.status == command.status:
        return []
    return [record(command, pilot.IncidentStatusChanged)]


def evolve(state: State, event: AnyPilotEvent) -> State:
    state = replace(state, facts=apply(state.facts, event))
    match event:
        case pilot.PilotOpened():
            return replace(state, status="active")
        case (
            pilot.PilotScopeDefined()
            | pilot.KpiDefined()
            | pilot.KpiMeasured()
            | pilot.OversightDesigned()
            | pilot.IncidentReported()
            | pilot.IncidentStatusChanged()
            | pilot.IncidentAcknowledged()
            | pilot.IncidentEscalated()
            | pilot.FeedbackRecorded()
        ):
            return state
        case (
            pilot.GateReviewRequested()
            | pilot.GateVoteCast()
            | pilot.GateDecided()
            | pilot.InitiativeResumed()
            | pilot.ConditionFulfilled()
            | pilot.ReviewOverdue()
        ):
            return gate.evolve(state, event)
        case pilot.OwnershipHandedOver():
            return state
        case pilot.BusinessCaseRefined():
            return state
        case pilot.AiRoleRecorded() | pilot.ObligationStatusRecorded():
            return state
        case _:
            assert_never(event)
