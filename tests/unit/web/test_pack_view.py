"""web.pack_view: what the committee pack holds for the gate under review, from real events."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from events import pilot, production
from services.projection import portfolio as figures
from services.projection.models import InitiativeDetail
from services.projection.views.initiative import initial, project
from tests.integration.test_projection_support import at, initiative
from web.pack_view import MOST_ROWS, pack

NOW = datetime(2026, 1, 1, tzinfo=UTC)


def detail_of(events: list[object]) -> InitiativeDetail:
    row = initial(events[0].initiative_id)  # type: ignore[attr-defined]
    for e in events:
        row = project(row, e)  # type: ignore[arg-type]
    return figures.detail(row, NOW)


def pilot_in_review(measurements: int = 5) -> list[object]:
    events: list[object] = initiative(7, "pilot_running", measurements=measurements)
    iid = events[0].initiative_id  # type: ignore[attr-defined]
    gate = pilot.GATE
    return [
        *events,
        pilot.IncidentReported(
            initiative_id=iid,
            at=at(7, 30),
            incident_id="i1",
            title="Wrong routing",
            severity="high",
        ),
        pilot.IncidentReported(
            initiative_id=iid, at=at(7, 31), incident_id="i2", title="Slow answers", severity="low"
        ),
        pilot.IncidentStatusChanged(
            initiative_id=iid, at=at(7, 32), incident_id="i2", status="resolved"
        ),
        gate.review_requested(
            initiative_id=iid,
            at=at(7, 33),
            gate="G3",
            requested_by="ana",
            criteria_version="2025.2",
        ),
        gate.vote_cast(
            initiative_id=iid,
            at=at(7, 34),
            gate="G3",
            vote_id="v1",
            voter="clara",
            decision="go",
            rationale="Pilot met its KPIs",
        ),
    ]


def test_a_pack_in_review_names_its_gate_the_votes_so_far_and_what_is_still_needed():
    p = pack(detail_of(pilot_in_review()), NOW)
    assert p.purpose.gate == "G3" and p.purpose.heading == "G3 review: Pilot to MVP"
    assert "requested the G3 review" in p.purpose.state
    assert [(v.voter, v.decision) for v in p.votes] == [("clara", "go")]
    assert p.tally == "go 1; 2 agreeing votes decide."


def test_a_pack_lists_open_incidents_only_and_the_risk_with_its_rationale():
    p = pack(detail_of(pilot_in_review()), NOW)
    assert [i.title for i in p.incidents] == ["Wrong routing"]
    assert p.risk is not None and p.risk.risk_class == "limited" and p.risk.rationale == "r"


def test_a_pack_lists_earlier_decisions_newest_first():
    p = pack(detail_of(pilot_in_review()), NOW)
    assert [(r.gate, r.decision.decision if r.decision else None) for r in p.past] == [
        ("G2", "go"),
        ("G1", "go"),
    ]


def test_a_kpi_table_lists_the_newest_measurements_and_counts_the_rest():
    p = pack(detail_of(pilot_in_review(measurements=20)), NOW)
    (kpi,) = p.kpis
    assert len(kpi.rows) == MOST_ROWS and kpi.earlier == 20 - MOST_ROWS
    assert kpi.rows[0].at > kpi.rows[-1].at  # newest first
    assert kpi.rows[0].value == "155 %" and kpi.rows[0].verdict == "on target"
    assert kpi.rows[-1].verdict in ("on target", "off target")
    assert "Accuracy" in kpi.chart


def test_an_initiative_being_prepared_names_its_next_gate_without_votes():
    p = pack(detail_of(initiative(8, "in_ideation")), NOW)
    assert p.purpose.gate == "G1" and "no review requested" in p.purpose.state
    assert p.votes == [] and p.tally == "No votes yet; 1 agreeing vote decides."


def test_a_killed_initiative_has_no_gate_ahead():
    p = pack(detail_of(initiative(9, "kill_g1")), NOW + timedelta(days=1))
    assert p.purpose.gate is None and p.tally == ""
    assert p.purpose.state == "The initiative is killed."


def test_a_launched_initiative_whose_kpi_breached_gets_a_re_review_pack():
    events = initiative(10, "launched")
    iid = events[0].initiative_id
    events.append(
        production.ReReviewRequested(
            initiative_id=iid, at=at(10, 80), kpi_id="k1", reason="Accuracy fell to 40 %."
        )
    )
    p = pack(detail_of(events), NOW)
    assert p.purpose.gate == "G4" and p.purpose.re_review
    assert p.purpose.heading == "Re-review in production" and "Accuracy fell" in p.purpose.state
    assert p.tally.startswith("One committee vote decides")
