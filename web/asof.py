"""The "as of" picker: a date (the end of that day, UTC) or a date and time."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

from api.limits import FIRST_YEAR, LAST_YEAR, in_range


def parse_as_of(raw: str | None) -> tuple[datetime | None, str]:
    """The moment to show, and an error message for a value that is not a date."""
    text = (raw or "").strip()
    if not text:
        return None, ""
    try:
        if len(text) == 10:
            return datetime.combine(date.fromisoformat(text), time.max, tzinfo=UTC), ""
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None, f"{text[:40]!r} is not a date; showing the current state"
    if not in_range(moment):
        return None, f"pick a date from {FIRST_YEAR} to {LAST_YEAR}; showing the current state"
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)), ""
