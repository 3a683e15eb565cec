"""Incident escalation (PRODUCT.md section 9): a person acknowledges a serious incident, and
Tollgate escalates an unacknowledged one to the committee chair once its limit has passed."""

from __future__ import annotations

from datetime import timedelta

from events import incident_limits, pilot
from events.base import SYSTEM, Actor
from events.errors import Forbidden, NotFound, Refused
from services.pilot import decider
from tests.unit.deciders import given
from tests.unit.histories import (
    ADMIN,
    AGENT,
    AT,
    CHAIR,
    CONTRIBUTOR,
    ID,
    OTHER_OWNER,
    OWNER,
    decided,
    pilot_opened,
)

G3 = pilot.GATE
ACCOUNTABLE = OWNER  # the handoff names Olga accountable; olga is her account
LATE = AT + timedelta(hours=4)  # a critical incident's limit (events.incident_limits)


def reported(severity: pilot.Severity = "critical") -> list[pilot.IncidentReported]:
    return [
        pilot.IncidentReported(
            initiative_id=ID, at=AT, incident_id="i-1", title="Wrong routing", severity=severity
        )
    ]


def acknowledge(actor: Actor = ACCOUNTABLE, incident_id: str = "i-1") -> pilot.AcknowledgeIncident:
    return pilot.AcknowledgeIncident(
        initiative_id=ID, at=AT + timedelta(hours=1), actor=actor, incident_id=incident_id
    )


def acknowledged(by: Actor = ACCOUNTABLE) -> pilot.IncidentAcknowledged:
    return pilot.IncidentAcknowledged(
        initiative_id=ID, at=AT + timedelta(hours=1), incident_id="i-1", acknowledged_by=by.id
    )


def escalate(at: timedelta = timedelta(hours=4), actor: Actor = SYSTEM) -> pilot.EscalateIncident:
    return pilot.EscalateIncident(
        initiative_id=ID, at=AT + at, actor=actor, incident_id="i-1", chair=CHAIR.id
    )


def escalated(severity: pilot.Severity = "critical", hours: int = 4) -> pilot.IncidentEscalated:
    return pilot.IncidentEscalated(
        initiative_id=ID, at=AT + timedelta(hours=hours), incident_id="i-1", severity=severity,
        reported_at=AT, due_at=AT + timedelta(hours=hours), limit_hours=hours,
        limits_version=incident_limits.CURRENT_VERSION, accountable="Olga", escalated_to=CHAIR.id,
    )  # fmt: skip


def test_the_accountable_person_acknowledges_an_incident() -> None:
    given(decider, pilot_opened(), reported()).when(acknowledge()).then(acknowledged())


def test_the_committee_chair_and_an_admin_acknowledge_too() -> None:
    for actor in (CHAIR, ADMIN):
        given(decider, pilot_opened(), reported()).when(acknowledge(actor)).then(
            acknowledged(actor)
        )


def test_acknowledging_twice_is_a_no_op() -> None:
    given(decider, pilot_opened(), reported(), [acknowledged()]).when(acknowledge(CHAIR)).ignored()


def test_an_agent_may_not_acknowledge_an_incident() -> None:
    given(decider, pilot_opened(), reported()).when(acknowledge(AGENT)).refused(Forbidden, "never")


def test_someone_else_may_not_acknowledge_when_a_person_is_accountable() -> None:
    for actor in (CONTRIBUTOR, OTHER_OWNER):
        refusal = given(decider, pilot_opened(), reported()).when(acknowledge(actor))
        refusal.refused(Forbidden, "accountable person \\(Olga\\)")


def test_acknowledging_an_unknown_incident_is_not_found() -> None:
    given(decider, pilot_opened(), reported()).when(acknowledge(incident_id="i-9")).refused(
        NotFound, "no incident i-9"
    )


def test_an_unacknowledged_critical_incident_escalates_once_its_limit_has_passed() -> None:
    given(decider, pilot_opened(), reported()).when(escalate()).then(escalated())


def test_a_high_incident_escalates_after_a_day() -> None:
    history = (pilot_opened(), reported("high"))
    given(decider, *history).when(escalate(timedelta(hours=23))).refused(Refused, "escalates at")
    given(decider, *history).when(escalate(timedelta(hours=24))).then(escalated("high", 24))


def test_an_incident_escalates_only_once() -> None:
    given(decider, pilot_opened(), reported(), [escalated()]).when(
        escalate(timedelta(hours=9))
    ).ignored()


def test_an_acknowledged_incident_does_not_escalate() -> None:
    given(decider, pilot_opened(), reported(), [acknowledged()]).when(escalate()).ignored()


def test_an_incident_escalates_not_before_its_limit() -> None:
    given(decider, pilot_opened(), reported()).when(escalate(timedelta(hours=3))).refused(
        Refused, "not before"
    )


def test_low_and_medium_incidents_never_escalate() -> None:
    for severity in ("low", "medium"):
        given(decider, pilot_opened(), reported(severity)).when(
            escalate(timedelta(days=30))
        ).ignored()


def test_a_mitigated_incident_or_a_pilot_past_its_gate_does_not_escalate() -> None:
    mitigated = pilot.IncidentStatusChanged(
        initiative_id=ID, at=AT, incident_id="i-1", status="mitigated"
    )
    given(decider, pilot_opened(), reported(), [mitigated]).when(escalate()).ignored()
    given(decider, pilot_opened(), reported(), decided(G3, "go")).when(escalate()).ignored()


def test_only_tollgate_escalates_an_incident() -> None:
    given(decider, pilot_opened(), reported()).when(escalate(actor=CHAIR)).refused(
        Forbidden, "scheduler"
    )


def test_the_acknowledged_incident_escalates_no_more_and_its_facts_say_who() -> None:
    state = given(decider, pilot_opened(), reported(), [acknowledged(), escalated()]).state
    incident = state.facts.incidents["i-1"]
    assert (incident.acknowledged_by, incident.escalated, incident.reported_at) == (
        "olga",
        True,
        AT,
    )
