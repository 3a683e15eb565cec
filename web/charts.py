"""Server-side SVG charts: pure functions from data to an SVG string (no JavaScript, stdlib only).

Every chart is an ``<svg role="img">`` with an ``aria-label`` summary and a ``<title>``, so it
is usable by screen readers, and renders a "No data" text rather than failing on empty input.
All caller-supplied text is escaped with :func:`html.escape`; the result is safe to insert into
a Jinja template with ``|safe``. Colours are inline attributes so the SVG also works standalone;
each element also carries a class (``tg-...``) for styling.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import datetime
from html import escape

__all__ = ["bar_chart", "funnel", "line_chart"]

_TEXT = "#1b1f24"
_MUTED = "#4f5863"
_AXIS = "#8a949f"
_SERIES = "#1f5fbf"
_BASELINE = "#4f5863"
_TARGET = "#1b6e3a"
_FONT = 'font-family="system-ui, sans-serif"'
_CHAR_WIDTH = 6.2  # approximate width of one 11px character, for truncating labels

_MARGIN_LEFT = 52.0
_MARGIN_RIGHT = 16.0
_MARGIN_TOP = 30.0
_MARGIN_BOTTOM = 34.0


def _fmt(value: float) -> str:
    """A short human number: 1234 -> '1,234', 12.5 -> '12.5', 0.125 -> '0.13'."""
    if not math.isfinite(value):
        return "-"
    magnitude = abs(value)
    if magnitude >= 100 or value == int(value):
        return f"{value:,.0f}"
    text = f"{value:.1f}" if magnitude >= 10 else f"{value:.2f}"
    return text.rstrip("0").rstrip(".")


def _with_unit(value: float, unit: str) -> str:
    if not unit:
        return _fmt(value)
    separator = " " if unit[0].isalnum() else ""
    return f"{_fmt(value)}{separator}{unit}"


def _n(value: float) -> str:
    """A coordinate, rounded to keep the markup small."""
    return f"{value:.1f}".removesuffix(".0")


def _truncate(text: str, max_chars: int) -> str:
    if len(text) <= max_chars:
        return text
    if max_chars <= 1:
        return "…"
    return text[: max_chars - 1] + "…"


def _open(width: int, height: int, title: str, label: str, css_class: str) -> list[str]:
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="tg-chart {css_class}" role="img" '
        f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'aria-label="{escape(label)}">',
        f"<title>{escape(title)}</title>",
        f'<text class="tg-chart-title" x="{_n(width / 2)}" y="18" text-anchor="middle" '
        f'font-size="13" font-weight="600" fill="{_TEXT}" {_FONT}>{escape(title)}</text>',
    ]


def _no_data(width: int, height: int, title: str, css_class: str) -> str:
    parts = _open(width, height, title, f"{title}: no data", css_class)
    parts.append(
        f'<text class="tg-no-data" x="{_n(width / 2)}" y="{_n(height / 2 + 6)}" '
        f'text-anchor="middle" font-size="13" fill="{_MUTED}" {_FONT}>No data</text>'
    )
    parts.append("</svg>")
    return "\n".join(parts)


def _text(x: float, y: float, content: str, *, anchor: str = "middle", css: str = "") -> str:
    class_attr = f' class="{css}"' if css else ""
    return (
        f'<text{class_attr} x="{_n(x)}" y="{_n(y)}" text-anchor="{anchor}" font-size="11" '
        f'fill="{_MUTED}" {_FONT}>{escape(content)}</text>'
    )


def _nice_range(values: Sequence[float]) -> tuple[float, float]:
    """A y range that contains every value with some head room, never zero-width."""
    low, high = min(values), max(values)
    if low == high:
        pad = abs(low) * 0.1 or 1.0
        return low - pad, high + pad
    pad = (high - low) * 0.1
    low -= pad
    high += pad
    # Do not dip below zero just for padding when all data is non-negative.
    if min(values) >= 0 > low:
        low = 0.0
    return low, high


def line_chart(
    points: list[tuple[datetime, float]],
    *,
    baseline: float | None,
    target: float | None,
    title: str,
    unit: str,
    width: int = 480,
    height: int = 200,
) -> str:
    """A KPI over time: measurement polyline with dots, dashed baseline and target lines.

    Points are sorted by time; non-finite values are dropped. With one point only its dot is
    drawn (centred); with none a "No data" text is shown.
    """
    data = sorted(((t, v) for t, v in points if math.isfinite(v)), key=lambda p: p[0])
    refs: list[tuple[str, float, str, str]] = []
    if baseline is not None and math.isfinite(baseline):
        refs.append(("Baseline", baseline, _BASELINE, "tg-baseline"))
    if target is not None and math.isfinite(target):
        refs.append(("Target", target, _TARGET, "tg-target"))
    if not data:
        return _no_data(width, height, title, "tg-line-chart")

    latest = data[-1][1]
    summary = [f"{title}: {len(data)} measurement{'s' if len(data) != 1 else ''}"]
    summary.append(f"latest {_with_unit(latest, unit)}")
    summary.extend(f"{name.lower()} {_with_unit(value, unit)}" for name, value, _, _ in refs)
    parts = _open(width, height, title, ", ".join(summary), "tg-line-chart")

    left, right = _MARGIN_LEFT, width - _MARGIN_RIGHT
    top, bottom = _MARGIN_TOP, height - _MARGIN_BOTTOM
    y_low, y_high = _nice_range([v for _, v in data] + [v for _, v, _, _ in refs])

    def y_of(value: float) -> float:
        return bottom - (value - y_low) / (y_high - y_low) * (bottom - top)

    t_first, t_last = data[0][0].timestamp(), data[-1][0].timestamp()
    inset = 8.0  # keep the first and last dots off the axis and the plot edge

    def x_of(moment: datetime) -> float:
        if t_last == t_first:
            return (left + right) / 2
        span = right - left - 2 * inset
        return left + inset + (moment.timestamp() - t_first) / (t_last - t_first) * span

    # Axes, y ticks (low, middle, high) with light grid lines.
    parts.append(
        f'<g class="tg-axes" stroke="{_AXIS}" stroke-width="1">'
        f'<line x1="{_n(left)}" y1="{_n(top)}" x2="{_n(left)}" y2="{_n(bottom)}"/>'
        f'<line x1="{_n(left)}" y1="{_n(bottom)}" x2="{_n(right)}" y2="{_n(bottom)}"/></g>'
    )
    for fraction in (0.0, 0.5, 1.0):
        value = y_low + (y_high - y_low) * fraction
        y = y_of(value)
        if fraction:
            parts.append(
                f'<line class="tg-grid" x1="{_n(left)}" y1="{_n(y)}" x2="{_n(right)}" '
                f'y2="{_n(y)}" stroke="#e8ebef" stroke-width="1"/>'
            )
        parts.append(_text(left - 6, y + 4, _fmt(value), anchor="end", css="tg-tick"))
    # X labels: first and last date (just one when all points share a moment).
    if t_first == t_last:
        parts.append(_text(x_of(data[0][0]), bottom + 16, f"{data[0][0]:%Y-%m-%d}"))
    else:
        parts.append(_text(left, bottom + 16, f"{data[0][0]:%Y-%m-%d}", anchor="start"))
        parts.append(_text(right, bottom + 16, f"{data[-1][0]:%Y-%m-%d}", anchor="end"))
    if unit:
        parts.append(_text(4, top - 8, unit, anchor="start", css="tg-unit"))

    labels: list[str] = []  # reference labels go last so no line or dot covers them
    for name, value, colour, css in refs:
        y = y_of(value)
        parts.append(
            f'<line class="{css}" x1="{_n(left)}" y1="{_n(y)}" x2="{_n(right)}" y2="{_n(y)}" '
            f'stroke="{colour}" stroke-width="1.5" stroke-dasharray="6 4"/>'
        )
        labels.append(
            f'<text class="{css}-label" x="{_n(right - 2)}" y="{_n(y - 4)}" text-anchor="end" '
            f'font-size="11" fill="{colour}" stroke="#fff" stroke-width="3" paint-order="stroke" '
            f"{_FONT}>{escape(name)} {escape(_with_unit(value, unit))}</text>"
        )

    coords = [(x_of(t), y_of(v)) for t, v in data]
    if len(coords) > 1:
        path = " ".join(f"{_n(x)},{_n(y)}" for x, y in coords)
        parts.append(
            f'<polyline class="tg-series" points="{path}" fill="none" stroke="{_SERIES}" '
            f'stroke-width="2" stroke-linejoin="round"/>'
        )
    parts.append(f'<g class="tg-points" fill="{_SERIES}">')
    for (moment, value), (x, y) in zip(data, coords, strict=True):
        tip = f"{moment:%Y-%m-%d %H:%M}: {_with_unit(value, unit)}"
        parts.append(
            f'<circle cx="{_n(x)}" cy="{_n(y)}" r="3.5"><title>{escape(tip)}</title></circle>'
        )
    parts.append("</g>")
    parts.extend(labels)
    parts.append("</svg>")
    return "\n".join(parts)


def bar_chart(
    bars: list[tuple[str, float]],
    *,
    title: str,
    unit: str = "",
    max_value: float | None = None,
    width: int = 480,
    height: int = 200,
) -> str:
    """Vertical bars with the label under each bar and the value on top.

    ``max_value`` fixes the scale (e.g. 100 for percentages); by default the largest value is
    the top. Negative and non-finite values draw as empty bars; their value is still shown.
    """
    if not bars:
        return _no_data(width, height, title, "tg-bar-chart")
    finite = [v for _, v in bars if math.isfinite(v)]
    top_value = max_value if max_value is not None and max_value > 0 else max(finite, default=0)
    if top_value <= 0:
        top_value = 1.0

    summary = ", ".join(f"{label} {_with_unit(value, unit)}" for label, value in bars)
    parts = _open(width, height, title, f"{title}: {summary}", "tg-bar-chart")

    left, right = 12.0, width - 12.0
    top, bottom = _MARGIN_TOP + 14, height - _MARGIN_BOTTOM + 8
    slot = (right - left) / len(bars)
    bar_width = max(min(slot * 0.7, 72.0), 2.0)
    max_chars = int(slot / _CHAR_WIDTH)

    parts.append(
        f'<line class="tg-axes" x1="{_n(left)}" y1="{_n(bottom)}" x2="{_n(right)}" '
        f'y2="{_n(bottom)}" stroke="{_AXIS}" stroke-width="1"/>'
    )
    parts.append(f'<g class="tg-bars" fill="{_SERIES}">')
    for index, (label, value) in enumerate(bars):
        centre = left + slot * (index + 0.5)
        shown = min(value, top_value) if math.isfinite(value) and value > 0 else 0.0
        bar_height = shown / top_value * (bottom - top)
        y = bottom - bar_height
        value_text = _with_unit(value, unit)
        parts.append(
            f'<rect x="{_n(centre - bar_width / 2)}" y="{_n(y)}" width="{_n(bar_width)}" '
            f'height="{_n(bar_height)}" rx="2"><title>{escape(label)}: {escape(value_text)}'
            f"</title></rect>"
        )
        parts.append(_text(centre, y - 4, value_text, css="tg-value"))
        parts.append(_text(centre, bottom + 15, _truncate(label, max_chars), css="tg-label"))
    parts.append("</g>")
    parts.append("</svg>")
    return "\n".join(parts)


def funnel(
    stages: list[tuple[str, int]],
    *,
    title: str,
    width: int = 480,
    row_height: int = 30,
) -> str:
    """Horizontal centred bars, one per stage, with the count and the conversion from the
    previous stage (e.g. ``PoC 12 (60% of previous)``)."""
    height = int(_MARGIN_TOP + row_height * max(len(stages), 1) + 10)
    if not stages:
        return _no_data(width, max(height, 120), title, "tg-funnel")
    largest = max((count for _, count in stages), default=0) or 1

    lines: list[str] = []
    previous: int | None = None
    for name, count in stages:
        text = f"{name} {count:,}"
        if previous:
            text += f" ({_fmt(count / previous * 100)}% of previous)"
        lines.append(text)
        previous = count
    parts = _open(width, height, title, f"{title}: " + ", ".join(lines), "tg-funnel")

    usable = width - 24.0
    parts.append(f'<g class="tg-bars" fill="{_SERIES}" fill-opacity="0.18">')
    for index, ((_, count), text) in enumerate(zip(stages, lines, strict=True)):
        y = _MARGIN_TOP + index * row_height
        bar = max(count, 0) / largest * usable
        parts.append(
            f'<rect x="{_n((width - bar) / 2)}" y="{_n(y)}" width="{_n(bar)}" '
            f'height="{row_height - 4}" rx="3" stroke="{_SERIES}" stroke-opacity="0.6"/>'
        )
        parts.append(
            f'<text x="{_n(width / 2)}" y="{_n(y + row_height / 2 + 2)}" text-anchor="middle" '
            f'font-size="12" fill="{_TEXT}" fill-opacity="1" {_FONT}>{escape(text)}</text>'
        )
    parts.append("</g>")
    parts.append("</svg>")
    return "\n".join(parts)
