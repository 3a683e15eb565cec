"""Pilot: scope, KPIs and measurements, human oversight, incidents, feedback, G3."""

from __future__ import annotations

from events import gates, pilot
from events.base import SYSTEM, Actor
from events.errors import Forbidden, NotFound, Refused
from events.kpis import RecordMeasurement
from services.pilot import decider
from tests.unit.deciders import given
from tests.unit.histories import (
    AGENT,
    AT,
    CHAIR,
    CONTRIBUTOR,
    ID,
    MEMBER,
    TRIAGE_TIME,
    decided,
    handoff,
    pilot_opened,
    ready_for_g3,
    review,
)

G3 = pilot.GATE


def measure(value: float, measurement_id: str = "m-9", actor: Actor = AGENT) -> RecordMeasurement:
    return RecordMeasurement(
        initiative_id=ID, at=AT, actor=actor, kpi_id="k-1", measurement_id=measurement_id,
        value=value, source="erp",
    )  # fmt: skip


def define_kpi(target: float = 10) -> pilot.DefineKpi:
    return pilot.DefineKpi(
        initiative_id=ID, at=AT, actor=CONTRIBUTOR, kpi_id="k-1", name="Triage time", unit="min",
        baseline=20, target=target, direction="lower",
    )  # fmt: skip


def incident(incident_id: str = "i-1") -> pilot.ReportIncident:
    return pilot.ReportIncident(
        initiative_id=ID, at=AT, actor=CONTRIBUTOR, incident_id=incident_id,
        title="Wrong routing", severity="critical",
    )  # fmt: skip


def reported() -> list[pilot.IncidentReported]:
    return [
        pilot.IncidentReported(
            initiative_id=ID, at=AT, incident_id="i-1", title="Wrong routing", severity="critical"
        )
    ]


def vote(actor: Actor, vote_id: str) -> gates.DecideGate:
    return gates.DecideGate(
        initiative_id=ID, at=AT, actor=actor, vote_id=vote_id, decision="go", rationale="Yes"
    )


def test_tollgate_opens_the_pilot() -> None:
    command = pilot.OpenPilot(initiative_id=ID, at=AT, actor=SYSTEM, handoff=handoff())
    given(decider).when(command).then(*pilot_opened())


def test_opening_an_open_pilot_again_is_ignored() -> None:
    command = pilot.OpenPilot(initiative_id=ID, at=AT, actor=SYSTEM, handoff=handoff())
    given(decider, pilot_opened()).when(command).ignored()


def test_the_scope_is_defined_and_the_same_scope_again_is_ignored() -> None:
    command = pilot.DefineScope(
        initiative_id=ID, at=AT, actor=CONTRIBUTOR, user_group="AP clerks", sites=("Bonn",),
        planned_weeks=8,
    )  # fmt: skip
    defined = pilot.PilotScopeDefined(
        initiative_id=ID, at=AT, user_group="AP clerks", sites=("Bonn",), planned_weeks=8
    )
    given(decider, pilot_opened()).when(command).then(defined)
    given(decider, pilot_opened(), [defined]).when(command).ignored()


def test_a_kpi_is_defined() -> None:
    given(decider, pilot_opened()).when(define_kpi()).then(
        pilot.KpiDefined(initiative_id=ID, at=AT, kpi=TRIAGE_TIME)
    )


def test_the_same_kpi_definition_again_is_ignored() -> None:
    given(decider, ready_for_g3()).when(define_kpi()).ignored()


def test_a_changed_kpi_definition_supersedes_and_keeps_the_measurements() -> None:
    events = given(decider, ready_for_g3()).when(define_kpi(target=8)).decided()
    state = given(decider, ready_for_g3(), events).state
    assert state.facts.kpis["k-1"].definition.target == 8
    assert len(state.facts.kpis["k-1"].measurements) == 3


def test_an_agent_records_a_kpi_measurement() -> None:
    given(decider, ready_for_g3()).when(measure(7)).then(
        pilot.KpiMeasured(
            initiative_id=ID, at=AT, kpi_id="k-1", measurement_id="m-9", value=7, source="erp"
        )
    )


def test_the_same_measurement_twice_is_ignored() -> None:
    given(decider, ready_for_g3()).when(measure(7, "m-1")).ignored()


def test_a_measurement_of_an_undefined_kpi_is_not_found() -> None:
    given(decider, pilot_opened()).when(measure(7)).refused(NotFound, "no KPI k-1")


def test_the_oversight_design_is_recorded_and_the_same_again_is_ignored() -> None:
    command = pilot.DesignOversight(
        initiative_id=ID, at=AT, actor=CONTRIBUTOR, override_by=("Team lead",),
        decision_boundaries="< 10k EUR", escalation_path="Finance lead", accountable="Olga",
    )  # fmt: skip
    events = given(decider, pilot_opened()).when(command).decided()
    assert isinstance(events[0], pilot.OversightDesigned)
    given(decider, ready_for_g3()).when(command).ignored()


def test_an_incident_is_reported_once() -> None:
    given(decider, pilot_opened()).when(incident()).then(*reported())
    given(decider, pilot_opened(), reported()).when(incident()).ignored()


def test_an_incident_status_changes() -> None:
    command = pilot.ChangeIncidentStatus(
        initiative_id=ID, at=AT, actor=CONTRIBUTOR, incident_id="i-1", status="resolved"
    )
    given(decider, pilot_opened(), reported()).when(command).then(
        pilot.IncidentStatusChanged(initiative_id=ID, at=AT, incident_id="i-1", status="resolved")
    )


def test_the_same_incident_status_again_is_ignored() -> None:
    command = pilot.ChangeIncidentStatus(
        initiative_id=ID, at=AT, actor=CONTRIBUTOR, incident_id="i-1", status="open"
    )
    given(decider, pilot_opened(), reported()).when(command).ignored()


def test_a_status_change_of_an_unknown_incident_is_not_found() -> None:
    command = pilot.ChangeIncidentStatus(
        initiative_id=ID, at=AT, actor=CONTRIBUTOR, incident_id="i-9", status="resolved"
    )
    given(decider, pilot_opened()).when(command).refused(NotFound)


def test_feedback_is_recorded_once() -> None:
    command = pilot.RecordFeedback(
        initiative_id=ID, at=AT, actor=CONTRIBUTOR, feedback_id="f-1", summary="Faster"
    )
    recorded = pilot.FeedbackRecorded(initiative_id=ID, at=AT, feedback_id="f-1", summary="Faster")
    given(decider, pilot_opened()).when(command).then(recorded)
    given(decider, pilot_opened(), [recorded]).when(command).ignored()


def test_g3_needs_two_agreeing_committee_votes() -> None:
    first = given(decider, ready_for_g3(), review(G3)).when(vote(CHAIR, "v-1")).decided()
    second = given(decider, ready_for_g3(), review(G3), first).when(vote(MEMBER, "v-2")).decided()
    assert len(first) == 1
    assert isinstance(second[-1], pilot.GateDecided)
    assert second[-1].handoff is not None
    assert second[-1].handoff.kpis == (TRIAGE_TIME,)
    assert len(second[-1].handoff.measurements) == 3


def test_g3_is_refused_while_a_critical_incident_is_open() -> None:
    error = (
        given(decider, ready_for_g3(), reported(), review(G3)).when(vote(CHAIR, "v-1")).refused()
    )
    assert error.unmet == ["No open critical incident"]


def test_pilot_work_after_g3_is_refused_as_moved_on_to_the_mvp() -> None:
    history = [*ready_for_g3(), *review(G3), *decided(G3, "go")]
    given(decider, history).when(measure(7)).refused(Refused, "moved on to mvp")


def test_a_viewer_may_not_record_a_measurement() -> None:
    from tests.unit.histories import VIEWER

    given(decider, ready_for_g3()).when(measure(7, actor=VIEWER)).refused(Forbidden)
