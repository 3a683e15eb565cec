"""Scales for the SVG charts: short numbers, "nice" value ticks, calendar date ticks, and
where a tick label may stand so that it neither leaves the chart nor covers its neighbour.

The charts are fluid (x in percent of the chart's width, y and text in pixels), so the
ticks are chosen for the narrowest chart (NARROWEST px, a phone) and stay legible wider.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from itertools import pairwise

NARROWEST = 280.0  # px: the width of a chart on a phone, what the x ticks must fit
CHAR_PX = 6.6  # average width of one character at the tick font size (11 px)
MAX_DATE_TICKS = 5
INSET = 0.03  # the first and last points stand this share of the width inside the edges
HOUR = 3600.0
DAY = 24 * HOUR
HALF_MONTH = 15 * DAY  # ticks on the 1st and the 15th of each month
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def fmt(value: float) -> str:
    """A short human number: 1234 -> '1,234', 12.5 -> '12.5', 0.125 -> '0.13'."""
    if not math.isfinite(value):
        return "-"
    magnitude = abs(value)
    if magnitude >= 100 or value == int(value):
        return f"{value:,.0f}"
    text = f"{value:.1f}" if magnitude >= 10 else f"{value:.2f}"
    return text.rstrip("0").rstrip(".")


def with_unit(value: float, unit: str, *, exact: bool = False) -> str:
    """'12.5 ms', '80%'; `exact` keeps two decimals (102.96) where `fmt` would round (103)."""
    shown = f"{round(value, 2):,.10g}" if exact and math.isfinite(value) else fmt(value)
    if not unit:
        return shown
    separator = " " if unit[0].isalnum() else ""
    return f"{shown}{separator}{unit}"


def text_px(text: str, size: float = 11) -> float:
    """The approximate width of `text` at font size `size`."""
    return len(text) * CHAR_PX * size / 11


def truncate(text: str, max_chars: int) -> str:
    if len(text) <= max_chars:
        return text
    return "…" if max_chars <= 1 else text[: max_chars - 1] + "…"


def value_ticks(values: Sequence[float], most: int = 5) -> list[float]:
    """Evenly spaced round values (steps of 1, 2, 2.5 or 5 times a power of ten) from at or
    below the smallest value to at or above the largest; at least two, at most `most`+1.
    Non-negative data keeps a floor of zero rather than dipping below it."""
    low, high = min(values), max(values)
    if low == high:
        pad = abs(low) * 0.1 or 1.0
        low, high = low - pad, high + pad
        if min(values) >= 0 > low:
            low = 0.0
    raw = (high - low) / max(most - 1, 1)
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 2.5, 5, 10) if m * power * (most - 1) >= high - low)
    while True:
        first = math.floor(low / step + 1e-9) * step
        last = math.ceil(high / step - 1e-9) * step
        count = round((last - first) / step) + 1
        if count <= most + 1:
            return [round(first + i * step, 10) for i in range(count)]
        step *= 2


def _month_start(moment: datetime, months: int) -> datetime:
    index = (moment.year * 12 + moment.month - 1) // months * months
    return datetime(index // 12, index % 12 + 1, 1, tzinfo=UTC)


def _add_months(moment: datetime, months: int) -> datetime:
    index = moment.year * 12 + moment.month - 1 + months
    return moment.replace(year=index // 12, month=index % 12 + 1)


def _calendar(first: datetime, last: datetime, seconds: float, months: int) -> list[datetime]:
    """Tick moments from `first` to `last` on calendar boundaries: every `months` months,
    the 1st and 15th (HALF_MONTH), or every `seconds` (days start at midnight UTC, weeks on
    Mondays)."""
    if months:
        moment, out = _month_start(first, months), []
        while moment <= last:
            if moment >= first:
                out.append(moment)
            moment = _add_months(moment, months)
        return out
    if seconds == HALF_MONTH:
        months_from = _month_start(first, 1)
        found = [
            d
            for m in range(((last.year - first.year) * 12 + last.month - first.month) + 1)
            for d in (_add_months(months_from, m), _add_months(months_from, m).replace(day=15))
        ]
        return [d for d in found if first <= d <= last]
    start = first.replace(minute=0, second=0, microsecond=0)
    if seconds >= DAY:
        start = start.replace(hour=0)
        if seconds == 7 * DAY:  # weeks start on Mondays
            start -= timedelta(days=start.weekday())
    else:
        start = start.replace(hour=start.hour - start.hour % int(seconds // HOUR))
    step = timedelta(seconds=seconds)
    while start < first:
        start += step
    out = []
    while start <= last:
        out.append(start)
        start += step
    return out


STEPS: tuple[tuple[float, int], ...] = (
    (HOUR, 0),
    (3 * HOUR, 0),
    (6 * HOUR, 0),
    (12 * HOUR, 0),
    (DAY, 0),
    (2 * DAY, 0),
    (3 * DAY, 0),
    (7 * DAY, 0),
    (14 * DAY, 0),
    (HALF_MONTH, 0),
    (0, 1),
    (0, 2),
    (0, 3),
    (0, 6),
    (0, 12),
    (0, 24),
    (0, 60),
)


def date_label(moment: datetime, seconds: float, months: int) -> str:
    """'2026' for years, 'Mar 2026' for months, '3 Mar' for days, '06:00' within a day."""
    if months >= 12:
        return f"{moment.year}"
    if months:
        return f"{MONTHS[moment.month - 1]} {moment.year}"
    if seconds < DAY and (moment.hour or moment.minute):
        return f"{moment:%H:%M}"
    return f"{moment.day} {MONTHS[moment.month - 1]}"


def x_fraction(moment: datetime, first: datetime, last: datetime) -> float:
    """Where `moment` stands across the plot (0 left edge, 1 right edge)."""
    if last <= first:
        return 0.5
    share = (moment - first).total_seconds() / (last - first).total_seconds()
    return INSET + share * (1 - 2 * INSET)


def date_ticks(
    first: datetime, last: datetime, most: int = MAX_DATE_TICKS
) -> list[tuple[datetime, str]]:
    """Calendar ticks between `first` and `last` with their labels: the finest step that
    gives 2 to `most` ticks whose labels do not touch on the narrowest chart. One moment:
    one tick with its full date."""
    first, last = first.astimezone(UTC), last.astimezone(UTC)
    if last <= first:
        return [(first, full_date(first))]
    for seconds, months in STEPS:
        found = [
            (t, date_label(t, seconds, months)) for t in _calendar(first, last, seconds, months)
        ]
        if 2 <= len(found) <= most and not overlapping(found, first, last):
            return found
    end = f"{last:%H:%M}" if last.date() == first.date() else full_date(last)
    ends = [(first, full_date(first)), (last, end)]
    return ends[:1] if overlapping(ends, first, last) else ends


def full_date(moment: datetime) -> str:
    return f"{moment.day} {MONTHS[moment.month - 1]} {moment.year}"


def overlapping(ticks: list[tuple[datetime, str]], first: datetime, last: datetime) -> bool:
    """Whether two neighbouring labels come closer than a few px on the narrowest chart."""
    spans = [label_span(x_fraction(t, first, last), label) for t, label in ticks]
    return any(a[1] + 4 > b[0] for a, b in pairwise(spans))


def anchor_at(fraction: float, label: str, width: float = NARROWEST) -> str:
    """Where a tick label at `fraction` of the width is anchored so that it stays inside
    the chart: at its start near the left edge, at its end near the right one."""
    half = text_px(label) / 2 / width
    if fraction < half:
        return "start"
    if fraction > 1 - half:
        return "end"
    return "middle"


def label_span(fraction: float, label: str, width: float = NARROWEST) -> tuple[float, float]:
    """The horizontal extent (px) of a tick label placed as `anchor_at` places it."""
    x, w = fraction * width, text_px(label)
    anchor = anchor_at(fraction, label, width)
    start = x if anchor == "start" else x - w if anchor == "end" else x - w / 2
    return start, start + w
