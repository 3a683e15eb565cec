"""Serious incidents in the inbox and the dossier: urgent for the accountable person at once,
with the time to acknowledge by; escalated to the chair when no one did; gone for the chair
once someone acknowledges."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from events import pilot
from services.projection.views.inbox import Addressed, items
from tests.unit.projection.given import I, T
from tests.unit.projection.test_inbox_view import fold, pilot_with

DESIGNED = pilot.OversightDesigned(
    initiative_id=I,
    at=T(6),
    override_by=("Ops lead",),
    decision_boundaries="b",
    escalation_path="e",
    accountable="Olivia",
)
ESCALATES = T(7) + timedelta(hours=4)


def reported(severity: pilot.Severity = "critical") -> pilot.IncidentReported:
    return pilot.IncidentReported(
        initiative_id=I, at=T(7), incident_id="x1", title="Wrong refusals", severity=severity
    )


def escalated(chair: str | None = "cara") -> pilot.IncidentEscalated:
    return pilot.IncidentEscalated(
        initiative_id=I, at=T(8), incident_id="x1", severity="critical", reported_at=T(7),
        due_at=ESCALATES, limit_hours=4, limits_version="2026-1", accountable="Olivia",
        escalated_to=chair,
    )  # fmt: skip


ACKNOWLEDGED = pilot.IncidentAcknowledged(
    initiative_id=I, at=T(9), incident_id="x1", acknowledged_by="olivia"
)


def incident_items(*events: Any) -> list[Addressed]:
    return [a for a in items(fold(*pilot_with(DESIGNED, *events))) if a.item.kind == "incident"]


def test_a_critical_incident_is_urgent_for_the_accountable_person_and_says_by_when() -> None:
    [found] = incident_items(reported())
    assert found.names == ("olivia",)
    item = found.item
    assert (item.urgent, item.due_at, item.overdue, item.incident_id) == (
        True,
        ESCALATES,
        False,
        "x1",
    )
    assert item.text == (
        "Open critical incident: Wrong refusals; acknowledge it by 2025-01-08 04:00 UTC"
        " or it goes to the committee chair"
    )
    assert item.link == f"/initiatives/{I}#incident-x1"


def test_a_medium_incident_waits_but_is_not_urgent() -> None:
    [found] = incident_items(reported("medium"))
    assert (found.item.urgent, found.item.due_at) == (False, None)
    assert found.item.text == "Open medium incident: Wrong refusals"


def test_an_escalated_incident_waits_on_the_chair_and_is_overdue_for_the_accountable() -> None:
    accountable, chair = incident_items(reported(), escalated())
    assert accountable.item.overdue and accountable.item.text.endswith(
        "; not acknowledged in time, escalated to cara"
    )
    assert chair.accounts == ("cara",) and chair.names == ()
    assert (chair.item.since, chair.item.overdue, chair.item.urgent) == (T(8), True, True)
    assert chair.item.text == (
        "Escalated to you: the critical incident “Wrong refusals” was not acknowledged in time"
    )


def test_an_escalation_without_a_chair_waits_on_no_one_else_and_says_so() -> None:
    [found] = incident_items(reported(), escalated(chair=None))
    assert found.item.text.endswith("no committee chair is named")


def test_once_acknowledged_the_chair_is_done_and_nothing_is_due() -> None:
    [found] = incident_items(reported(), escalated(), ACKNOWLEDGED)
    assert found.item.text == "Open critical incident: Wrong refusals (acknowledged by olivia)"
    assert (found.item.due_at, found.item.overdue) == (None, False)


def test_the_dossier_records_acknowledgement_and_escalation() -> None:
    row = fold(*pilot_with(DESIGNED, reported(), escalated(), ACKNOWLEDGED))
    [i] = row.dossier.incidents
    assert (i.escalates_at, i.escalated_at, i.escalated_to) == (ESCALATES, T(8), "cara")
    assert (i.acknowledged_by, i.acknowledged_at) == ("olivia", T(9))
