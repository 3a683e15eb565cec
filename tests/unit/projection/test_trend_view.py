"""The radar's view of one trend: a pure fold of its events."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from functools import reduce

from events import trends
from services.projection.views.trend import Trend, project

AT = datetime(2026, 5, 1, tzinfo=UTC)
ADDED = trends.TrendAdded(
    trend_id="t-1", at=AT, name="Agent frameworks", description="Tools that act",
    quadrant="tools", ring="assess", maturity="emerging", risks=("prompt injection",),
)  # fmt: skip


def later(days: int) -> datetime:
    return AT + timedelta(days=days)


def fold(*events: trends.AnyTrendEvent) -> Trend | None:
    return reduce(project, events, None)  # type: ignore[arg-type]


def test_an_added_trend_stands_in_its_first_ring() -> None:
    trend = fold(ADDED)
    assert trend is not None
    assert (trend.name, trend.ring, trend.risks, trend.added_at) == (
        "Agent frameworks", "assess", ("prompt injection",), AT
    )  # fmt: skip


def test_a_move_changes_the_ring_and_when_it_last_moved() -> None:
    moved = trends.TrendMoved(trend_id="t-1", at=later(30), from_ring="assess",
                              to_ring="trial", rationale="PoC kept within policy")  # fmt: skip
    trend = fold(ADDED, moved)
    assert trend is not None
    assert (trend.ring, trend.moved_at, trend.updated_at) == ("trial", later(30), later(30))


def test_links_are_kept_once_in_the_order_linked_and_an_unlink_removes_one() -> None:
    def link(iid: str, day: int) -> trends.TrendLinked:
        return trends.TrendLinked(trend_id="t-1", at=later(day), initiative_id=iid)

    unlink = trends.TrendUnlinked(trend_id="t-1", at=later(9), initiative_id="a")
    trend = fold(ADDED, link("b", 1), link("a", 2), link("b", 3))
    assert trend is not None and trend.initiatives == ("b", "a")
    after = fold(ADDED, link("b", 1), link("a", 2), unlink)
    assert after is not None and after.initiatives == ("b",)


def test_an_edit_changes_only_the_fields_it_sets() -> None:
    edit = trends.TrendEdited(trend_id="t-1", at=later(2), maturity="growing")
    trend = fold(ADDED, edit)
    assert trend is not None
    assert (trend.maturity, trend.name, trend.ring) == ("growing", "Agent frameworks", "assess")


def test_an_event_before_the_trend_was_added_shows_nothing() -> None:
    stray = trends.TrendLinked(trend_id="t-1", at=AT, initiative_id="a")
    assert fold(stray) is None
