"""Bar charts and the funnel: one horizontal bar per row, its label above it, so a label
never has to fit inside a bar (web/charts.py re-exports both)."""

from __future__ import annotations

import math
from html import escape

from web.chart_scales import fmt, truncate, with_unit
from web.chart_svg import GRID, ROW, SERIES, TEXT, frame, no_data, pc, svg, text


def bar_chart(
    bars: list[tuple[str, float]], *, title: str, unit: str = "", max_value: float | None = None
) -> str:
    """One horizontal bar per label, the label above its bar on the left and the value on
    the right. `max_value` fixes the scale (100 for percentages); by default the largest
    value fills the width. Negative and non-finite values draw empty bars."""
    if not bars:
        return no_data(title, "tg-bar-chart")
    finite = [v for _, v in bars if math.isfinite(v)]
    top = max_value if max_value is not None and max_value > 0 else max(finite, default=0)
    top = top if top > 0 else 1.0
    summary = ", ".join(f"{label} {with_unit(value, unit)}" for label, value in bars)
    rows = []
    for i, (label, value) in enumerate(bars):
        shown = min(value, top) / top if math.isfinite(value) and value > 0 else 0.0
        shown_text = with_unit(value, unit)
        y = i * ROW
        rows += [
            text("0", y + 13, truncate(label, 28), css="tg-label", size=12, fill=TEXT),
            text("100%", y + 13, shown_text, anchor="end", css="tg-value", size=12, weight="600"),
            f'<rect class="tg-track" x="0" y="{y + 19}" width="100%" height="12" rx="2" '
            f'fill="{GRID}"/>',
            f'<rect class="tg-bar" x="0" y="{y + 19}" width="{pc(shown)}" height="12" '
            f'rx="2" fill="{SERIES}"><title>{escape(label)}: {escape(shown_text)}</title></rect>',
        ]
    return frame("tg-bar-chart", title, f"{title}: {summary}", svg(ROW * len(bars), rows))


def funnel(stages: list[tuple[str, int]], *, title: str) -> str:
    """Centred horizontal bars, one per stage, each under its label: the count and the
    conversion from the previous stage (``PoC 12 (60% of previous)``)."""
    if not stages:
        return no_data(title, "tg-funnel")
    largest = max(count for _, count in stages) or 1
    lines, previous = [], None
    for name, count in stages:
        tail = f" ({fmt(count / previous * 100)}% of previous)" if previous else ""
        lines.append(f"{name} {count:,}{tail}")
        previous = count
    rows = []
    for i, ((_, count), line) in enumerate(zip(stages, lines, strict=True)):
        share, y = max(count, 0) / largest, i * ROW
        rows += [
            text("50%", y + 13, line, anchor="middle", css="tg-label", size=12, fill=TEXT),
            f'<rect class="tg-bar" x="{pc((1 - share) / 2)}" y="{y + 18}" '
            f'width="{pc(share)}" height="14" rx="3" fill="{SERIES}" fill-opacity="0.75">'
            f"<title>{escape(line)}</title></rect>",
        ]
    summary = f"{title}: " + ", ".join(lines)
    return frame("tg-funnel", title, summary, svg(ROW * len(stages), rows))
