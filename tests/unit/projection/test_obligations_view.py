"""The obligations as read (pure views): overdue when read, the board's marks in the summary,
and the inbox items of kind obligation (a serious incident's report, launched but not met)."""

from __future__ import annotations

from datetime import timedelta
from functools import reduce

from events import mvp, pilot
from events.base import Event
from services.projection.views.inbox import as_read, items
from services.projection.views.initiative import Initiative, initial, project
from services.projection.views.obligations import marks, obligations_of, overdue_count
from tests.unit.histories import AT, ID, decided, handoff, proposed
from web.board import card

HIGH = pilot.PilotOpened(initiative_id=ID, at=AT, handoff=handoff(risk="high"))
SERIOUS = pilot.IncidentReported(
    initiative_id=ID, at=AT, incident_id="i-1", title="Wrong shortlist", severity="high",
    serious="critical_infrastructure", aware_at=AT,
)  # fmt: skip


def row(*events: Event) -> Initiative:
    return reduce(project, [*proposed(), *events], initial(ID))


def test_a_report_is_overdue_only_once_read_after_its_deadline() -> None:
    r = row(HIGH, SERIOUS)
    assert obligations_of(r, AT + timedelta(days=1)).overdue == 0
    late = obligations_of(r, AT + timedelta(days=2, minutes=1))
    assert late.overdue == 1
    assert late.obligations[0].id == "serious_incident.i-1"  # overdue ones first
    assert late.obligations[0].article == "73(3)"


def test_the_summary_keeps_what_the_board_needs_to_mark_it() -> None:
    s = marks(row(HIGH, SERIOUS))
    assert s.obligation_deadlines == (AT + timedelta(days=2),)
    assert s.obligations_before_launch_open == 4  # tech_doc, conformity, ce_mark, register
    assert overdue_count(s, AT + timedelta(days=3)) == 1
    assert overdue_count(s, AT) == 0


def test_the_report_waits_on_the_owner_and_team_until_met() -> None:
    waiting = [a for a in items(row(HIGH, SERIOUS)) if a.item.kind == "obligation"]
    assert [(a.item.key, a.item.urgent, a.item.due_at) for a in waiting] == [
        ("obligation:serious_incident.i-1", True, AT + timedelta(days=2))
    ]
    assert set(waiting[0].accounts) == {"olga", "carl", "tess"}
    met = pilot.ObligationStatusRecorded(
        initiative_id=ID, at=AT, obligation_id="serious_incident.i-1", status="met",
        evidence="Reported to the authority", recorded_by="carl",
    )  # fmt: skip
    assert not [a for a in items(row(HIGH, SERIOUS, met)) if a.item.kind == "obligation"]


def test_a_launched_system_with_duties_due_before_launch_unmet_has_them_overdue() -> None:
    opened = mvp.MvpOpened(initiative_id=ID, at=AT, handoff=handoff(risk="high"))
    launched = row(opened, *decided(mvp.GATE, "go"))
    assert launched.summary.status == "launched"
    late = [a.item for a in items(launched) if a.item.kind == "obligation"]
    assert {i.key for i in late} == {
        "obligation:tech_doc", "obligation:conformity", "obligation:ce_mark", "obligation:register"
    }  # fmt: skip
    assert all(i.overdue for i in late)
    assert obligations_of(launched, AT).overdue == 4


def test_the_report_in_the_inbox_is_overdue_when_read_after_its_deadline() -> None:
    item = next(a.item for a in items(row(HIGH, SERIOUS)) if a.item.kind == "obligation")
    assert not item.overdue  # stored when reported, before the deadline
    assert not as_read(item, AT + timedelta(days=1)).overdue
    assert as_read(item, AT + timedelta(days=2, minutes=1)).overdue


def test_a_killed_initiative_has_nothing_overdue_as_nothing_can_be_recorded_any_more() -> None:
    killed = row(HIGH, SERIOUS, *decided(pilot.GATE, "kill"))
    assert killed.summary.status == "killed"
    later = AT + timedelta(days=30)
    assert obligations_of(killed, later).overdue == 0
    assert overdue_count(marks(killed), later) == 0  # no mark on its board card
    assert obligations_of(row(HIGH, SERIOUS), later).overdue == 1  # alive, it would be


def test_the_board_card_counts_overdue_obligations_at_the_moment_the_board_shows() -> None:
    s = marks(row(HIGH, SERIOUS))  # the report is due 2 days after AT
    assert card(s, 30, now=AT + timedelta(days=1)).obligations_overdue == 0  # as of then
    assert card(s, 30, now=AT + timedelta(days=3)).obligations_overdue == 1
