"""services.projection.ordering: the Python order for as-of lists matches the SQL's rules."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from services.projection.ordering import ORDER_BY, SORTS, ordered
from services.projection.views.summary import Summary

T = datetime(2026, 1, 1, tzinfo=UTC)


def s(
    iid: str,
    *,
    updated: int,
    priority: float | None = None,
    days: float = 0.0,
    readiness: int | None = None,
) -> Summary:
    return Summary(
        initiative_id=iid,
        updated_at=T + timedelta(days=updated),
        priority=priority,
        time_in_stage_days=days,
        readiness_percent=readiness,
    )


ITEMS = [
    s("a", updated=1, priority=4.3, days=10, readiness=50),
    s("b", updated=3, priority=None, days=40, readiness=None),
    s("c", updated=2, priority=2.5, days=5, readiness=100),
    s("d", updated=2, priority=4.3, days=5, readiness=50),
]


def ids(sort: str) -> list[str]:
    return [x.initiative_id for x in ordered(ITEMS, sort)]  # type: ignore[arg-type]


def test_last_update_newest_first_ties_by_id():
    assert ids("updated") == ["b", "c", "d", "a"]


def test_priority_highest_first_unscored_last_ties_by_latest_update():
    assert ids("priority") == ["d", "a", "c", "b"]


def test_days_in_stage_longest_first():
    assert ids("days") == ["b", "a", "c", "d"]


def test_readiness_highest_first_unknown_last():
    assert ids("readiness") == ["c", "d", "a", "b"]


def test_every_sort_has_its_sql_and_ends_on_a_unique_key():
    assert set(ORDER_BY) == set(SORTS)
    assert all(sql.endswith("initiative_id") for sql in ORDER_BY.values())
