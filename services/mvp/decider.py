"""MVP decider: opened by G3's go; documentation, monitoring and release readiness decide G4.

After G4's go the initiative is launched: the stream keeps receiving KPI measurements,
recorded as production events, with a breach and a re-review request when off target.
"""

from __future__ import annotations

from typing import assert_never

import msgspec
from msgspec.structs import replace

from events import gates, mvp, people, production
from events.base import Event
from events.business_case import RefineBusinessCase
from events.compliance import RecordAiRole, RecordObligationStatus
from events.errors import Forbidden, Refused
from events.facts import apply, measured, on_target
from events.kpis import RecordMeasurement
from events.mvp import (
    AnyMvpEvent,
    ConfigureMonitoring,
    MvpCommand,
    OpenMvp,
    RecordDocument,
    UpdateReleaseChecklist,
)
from events.production import AnyProductionEvent, DecideReReview
from events.records import Monitoring
from services import business_case, compliance, gate, ownership
from services.stage import (
    StageState,
    check_measurement,
    guard_work,
    guard_worker,
    open_stage,
    record,
    record_measurement,
)

State = StageState
initial_state = StageState()
KIT = mvp.GATE
COMMANDS = mvp.COMMAND_DECODER
AnyEvent = AnyMvpEvent | AnyProductionEvent
EVENTS: msgspec.json.Decoder[AnyEvent] = msgspec.json.Decoder(AnyEvent)


def decide(command: MvpCommand, state: State) -> list[Event]:
    """Rules (besides the shared ones in services.stage and services.gate):

    - each document is recorded once per document_id; its version is one more than the
      latest of its kind, which it supersedes;
    - monitoring and the release checklist identical to the current ones are no-ops;
    - before launch a measurement is an MVP measurement; after launch a production one,
      raising KpiBreached when on the wrong side of target and ReReviewRequested when
      the KPI was not already breached; the same measurement_id twice is a no-op;
    - an open re-review is decided by one committee member who is a person: continue
      (it stays launched) or retire (terminal, like a kill).
    """
    match command:
        case OpenMvp():
            return open_stage(command, state, mvp.MvpOpened)
        case RecordDocument():
            guard_work(KIT, state, command.actor)
            return _document(command, state)
        case ConfigureMonitoring():
            guard_work(KIT, state, command.actor)
            monitoring = Monitoring(metrics=command.metrics, owner=command.owner)
            same = state.facts.monitoring == monitoring
            return [] if same else [record(command, mvp.MonitoringConfigured)]
        case RecordMeasurement() if state.status == "launched":
            return _production_measurement(command, state)
        case RecordMeasurement():
            return record_measurement(KIT, command, state, mvp.KpiMeasured)
        case DecideReReview():
            return _re_review(command, state)
        case UpdateReleaseChecklist():
            guard_work(KIT, state, command.actor)
            same = state.facts.checklist == command.items
            return [] if same else [record(command, mvp.ReleaseChecklistUpdated)]
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
            return business_case.refine(KIT, command, state, mvp.BusinessCaseRefined)
        case RecordAiRole():
            return compliance.record_role(KIT, command, state, mvp.AiRoleRecorded)
        case RecordObligationStatus():
            return compliance.record_status(KIT, command, state, mvp.ObligationStatusRecorded)
        case _:
            assert_never(command)


def _document(command: RecordDocument, state: State) -> list[Event]:
    docs = state.facts.documents
    if any(d.document_id == command.document_id for d in docs.values()):
        return []
    current = docs.get(command.kind)
    version = current.version + 1 if current else 1
    return [record(command, mvp.DocumentRecorded, version=version)]


def _production_measurement(command: RecordMeasurement, state: State) -> list[Event]:
    guard_worker(KIT, state, command.actor)
    check_measurement(command, state.facts)
    if measured(state.facts, command.measurement_id):
        return []
    events: list[Event] = [record(command, production.KpiMeasured)]
    kpi = state.facts.kpis[command.kpi_id].definition
    if on_target(kpi, command.value):
        return events
    events.append(
        record(command, production.KpiBreached, target=kpi.target, direction=kpi.direction)
    )
    if command.kpi_id not in state.facts.breached:
        reason = f"{kpi.name} at {command.value:g} {kpi.unit} misses its target {kpi.target:g}"
        events.append(
            production.ReReviewRequested(
                initiative_id=command.initiative_id, at=command.at, kpi_id=kpi.kpi_id, reason=reason
            )
        )
    return events


def _re_review(command: DecideReReview, state: State) -> list[Event]:
    if command.actor.kind != "person" or "committee" not in command.actor.roles:
        raise Forbidden("only steering committee members who are people decide a re-review")
    if state.status != "launched" or state.re_review is None:
        raise Refused("no re-review is open for this initiative")
    return [
        production.ReReviewDecided(
            initiative_id=command.initiative_id, at=command.at, decision=command.decision,
            rationale=command.rationale, decided_by=command.actor.id,
        )
    ]  # fmt: skip


def evolve(state: State, event: AnyEvent) -> State:
    state = replace(state, facts=apply(state.facts, event))
    match event:
        case mvp.MvpOpened():
            return replace(state, status="active")
        case (
            mvp.DocumentRecorded()
            | mvp.MonitoringConfigured()
            | mvp.KpiMeasured()
            | mvp.ReleaseChecklistUpdated()
            | production.KpiMeasured()
            | production.KpiBreached()
        ):
            return state
        case production.ReReviewRequested():
            return replace(state, re_review=event.reason)
        case production.ReReviewDecided():
            status = "killed" if event.decision == "retire" else state.status
            return replace(state, re_review=None, status=status)
        case (
            mvp.GateReviewRequested()
            | mvp.GateVoteCast()
            | mvp.GateDecided()
            | mvp.InitiativeResumed()
            | mvp.ConditionFulfilled()
            | mvp.ReviewOverdue()
        ):
            return gate.evolve(state, event)
        case mvp.OwnershipHandedOver():
            return state
        case mvp.BusinessCaseRefined():
            return state
        case mvp.AiRoleRecorded() | mvp.ObligationStatusRecorded():
            return state
        case _:
            assert_never(event)
