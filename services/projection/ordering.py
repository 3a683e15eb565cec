"""How lists and the board's columns are ordered: the SQL for the read-model table, and the
same order in Python for lists folded as of a past moment.

Each order puts the most telling first: the most recent update, the highest priority,
the longest time in the stage (the stalest), the highest readiness (closest to its gate).
Unscored or not-yet-known values go last; ties fall back to the latest update, then the id.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Literal, get_args

from services.projection.views.summary import Summary

Sort = Literal["updated", "priority", "days", "readiness"]
SORTS: tuple[Sort, ...] = get_args(Sort)
SORT_NAMES: dict[Sort, str] = {
    "updated": "last update",
    "priority": "priority",
    "days": "days in stage",
    "readiness": "readiness",
}
THEN = "updated_at DESC NULLS LAST, initiative_id"
# a stage left by a kill ends its time in it (as views.visits does); otherwise it runs until now
STAGE_END = (
    "COALESCE(CASE WHEN status = 'killed' AND stage <> 'production' "
    "THEN (summary->'last_decision'->>'at')::timestamptz END, now())"
)
ORDER_BY: dict[Sort, str] = {
    "updated": THEN,
    "priority": f"(summary->>'priority')::float8 DESC NULLS LAST, {THEN}",
    "days": f"({STAGE_END} - entered_stage_at) DESC NULLS LAST, {THEN}",
    "readiness": f"(summary->>'readiness_percent')::int DESC NULLS LAST, {THEN}",
}
EPOCH = datetime(1900, 1, 1, tzinfo=UTC)


def _primary(sort: Sort) -> Callable[[Summary], tuple[bool, float]]:
    """The first sort key, as (known, value) so that unknown values sort last descending."""
    value: Callable[[Summary], float | None] = {
        "updated": lambda s: (s.updated_at or EPOCH).timestamp(),
        "priority": lambda s: s.priority,
        "days": lambda s: s.time_in_stage_days,
        "readiness": lambda s: s.readiness_percent,
    }[sort]

    def key(s: Summary) -> tuple[bool, float]:
        found = value(s)
        return found is not None, found or 0.0

    return key


def ordered(items: list[Summary], sort: Sort) -> list[Summary]:
    """`items` in the order ORDER_BY[sort] gives in SQL (summaries filled in when read)."""
    items = sorted(items, key=lambda s: s.initiative_id)
    items.sort(key=lambda s: (s.updated_at or EPOCH).timestamp(), reverse=True)
    if sort != "updated":
        items.sort(key=_primary(sort), reverse=True)
    return items
