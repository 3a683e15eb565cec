"""Review service levels as versioned data, and the working-day arithmetic they need.

A gate review waits at most its gate's number of working days for the committee's
decision; past that it is overdue (`review_overdue`) and escalates to the committee chair.
Working days are Monday to Friday in UTC, less the version's holidays. The version in
force is recorded on every `review_overdue` event, so that an escalation stays explainable
after the levels change.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import msgspec

from events.gates import Gate

WEEKEND = (5, 6)  # Saturday, Sunday (date.weekday())
DEFAULT_DAYS = 10


class ServiceLevels(msgspec.Struct, frozen=True, kw_only=True):
    version: str
    working_days: dict[Gate, int]  # the longest a review of the gate may wait
    holidays: frozenset[date] = frozenset()  # days that are not working days


LEVELS: dict[str, ServiceLevels] = {
    "2026-1": ServiceLevels(
        version="2026-1",
        working_days=dict.fromkeys(("G1", "G2", "G3", "G4"), DEFAULT_DAYS),
    ),
}
CURRENT_VERSION = "2026-1"


def levels(version: str = CURRENT_VERSION) -> ServiceLevels:
    return LEVELS[version]


def is_working_day(day: date, holidays: frozenset[date] = frozenset()) -> bool:
    return day.weekday() not in WEEKEND and day not in holidays


def add_working_days(
    start: datetime, days: int, holidays: frozenset[date] = frozenset()
) -> datetime:
    """The same time of day `days` working days later. A start outside working days counts
    from the beginning (00:00 UTC) of the next working day: a review asked for on a Saturday
    has as long as one asked for first thing on Monday."""
    moment = start.astimezone(UTC)
    if not is_working_day(moment.date(), holidays):
        day = moment.date()
        while not is_working_day(day, holidays):
            day += timedelta(days=1)
        moment = datetime.combine(day, time(0), tzinfo=UTC)
    counted = 0
    while counted < days:
        moment += timedelta(days=1)
        counted += is_working_day(moment.date(), holidays)
    return moment


def working_days_between(
    start: datetime, end: datetime, holidays: frozenset[date] = frozenset()
) -> int:
    """Whole working days that have passed from `start` to `end` (0 when end is earlier)."""
    passed, moment = 0, add_working_days(start, 0, holidays)
    while (moment := add_working_days(moment, 1, holidays)) <= end:
        passed += 1
    return passed


def due_at(gate: Gate, requested_at: datetime, version: str = CURRENT_VERSION) -> datetime:
    """When a review of `gate` requested at `requested_at` becomes overdue."""
    sla = levels(version)
    return add_working_days(requested_at, sla.working_days[gate], sla.holidays)


def is_overdue(
    gate: Gate, requested_at: datetime, now: datetime, version: str = CURRENT_VERSION
) -> bool:
    return now >= due_at(gate, requested_at, version)
