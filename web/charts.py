"""Server-side charts: pure functions from data to an HTML fragment of inline SVG (no
JavaScript, stdlib only), the same on the pages and in the committee pack's PDF.

Charts are fluid: x is in percent of the chart's width, y and every text in pixels, and no
SVG has a viewBox. So a chart fills any width while its text keeps one readable size (11-13
px) on a phone, a desktop and paper. Each chart is a `<div class="tg-chart" role="img">`
with an `aria-label` summary; titles and legends are HTML (they wrap on narrow screens), so
no label stands on a bar or line it could overflow or cover. Caller text is escaped with
:func:`html.escape`; the result is safe to insert with ``|safe``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from datetime import datetime
from html import escape
from itertools import pairwise

from web.bar_charts import bar_chart, funnel
from web.chart_scales import anchor_at, date_ticks, fmt, text_px, value_ticks, with_unit, x_fraction
from web.chart_svg import (
    AXIS,
    BASELINE,
    GRID,
    LEGEND,
    SERIES,
    TARGET,
    TOP,
    frame,
    n,
    no_data,
    pc,
    svg,
    swatch,
    text,
)

__all__ = ["bar_chart", "funnel", "line_chart"]
Scale = Callable[[float], float]
PLOT_HEIGHT = 160
MOST_POINTS = 400  # a longer series is thinned (every n-th point, and the last)
MOST_DOTS = 60  # beyond this many points only the line is drawn


def _thin(data: list[tuple[datetime, float]]) -> list[tuple[datetime, float]]:
    if len(data) <= MOST_POINTS:
        return data
    every = math.ceil(len(data) / MOST_POINTS)
    return data[::every] + ([data[-1]] if (len(data) - 1) % every else [])


def line_chart(
    points: list[tuple[datetime, float]],
    *,
    baseline: float | None,
    target: float | None,
    title: str,
    unit: str,
    plot_height: int = PLOT_HEIGHT,
) -> str:
    """A KPI over time: the measurements as a line with dots, dashed baseline and target
    lines, value ticks on a left axis, calendar date ticks below, and a legend naming the
    lines with their values (so no label lies on the plot)."""
    data = sorted(((t, v) for t, v in points if math.isfinite(v)), key=lambda p: p[0])
    refs = [
        (name, v, colour, css, dash)
        for name, v, colour, css, dash in (
            ("Baseline", baseline, BASELINE, "tg-baseline", "2 3"),
            ("Target", target, TARGET, "tg-target", "7 4"),
        )
        if v is not None and math.isfinite(v)
    ]
    if not data:
        return no_data(title, "tg-line-chart")
    summary = [
        f"{title}: {len(data)} measurement{'s' if len(data) != 1 else ''}",
        f"latest {with_unit(data[-1][1], unit, exact=True)}",
        *(f"{name.lower()} {with_unit(v, unit, exact=True)}" for name, v, *_ in refs),
    ]
    ticks = value_ticks([v for _, v in data] + [r[1] for r in refs])
    bottom = TOP + plot_height

    def y_of(value: float) -> float:
        return bottom - (value - ticks[0]) / (ticks[-1] - ticks[0]) * plot_height

    gutter = max(text_px(fmt(t)) for t in ticks) + 10
    axis = [text(n(gutter - 6), y_of(t) + 4, fmt(t), anchor="end", css="tg-tick") for t in ticks]
    plot = _grid(ticks, y_of, bottom) + _dates(data, bottom)
    for _, value, colour, css, dash in refs:
        y = n(y_of(value))
        plot.append(
            f'<line class="{css}" x1="0" y1="{y}" x2="100%" y2="{y}" stroke="{colour}" '
            f'stroke-width="1.5" stroke-dasharray="{dash}"/>'
        )
    plot += _series(_thin(data), y_of, unit)
    height = bottom + 24
    legend = [
        f"<span>{swatch(SERIES, dot=True)} Measured, latest "
        f"{escape(with_unit(data[-1][1], unit, exact=True))}</span>"
    ]
    legend += [
        f'<span class="{css}-label">{swatch(colour, dash)} {name} '
        f"{escape(with_unit(value, unit, exact=True))}</span>"
        for name, value, colour, css, dash in refs
    ]
    body = (
        f'<div style="display:flex">{svg(height, axis, n(gutter), "tg-axis")}'
        f'{svg(height, plot)}</div><div class="tg-legend" style="{LEGEND}">{"".join(legend)}</div>'
    )
    return frame("tg-line-chart", title, ", ".join(summary), body, unit)


def _grid(ticks: Sequence[float], y_of: Scale, bottom: float) -> list[str]:
    lines = [
        f'<line class="tg-grid" x1="0" y1="{n(y_of(t))}" x2="100%" y2="{n(y_of(t))}" '
        f'stroke="{GRID}" stroke-width="1"/>'
        for t in ticks[1:]
    ]
    return [
        *lines,
        f'<line class="tg-axes" x1="0" y1="{n(bottom)}" x2="100%" '
        f'y2="{n(bottom)}" stroke="{AXIS}" stroke-width="1"/>',
    ]


def _dates(data: list[tuple[datetime, float]], bottom: float) -> list[str]:
    """Calendar ticks under the plot; labels at the edges are anchored to stay inside."""
    first, last = data[0][0], data[-1][0]
    out = []
    for moment, label in date_ticks(first, last):
        x = x_fraction(moment, first, last)
        out.append(
            f'<line class="tg-date-tick" x1="{pc(x)}" y1="{n(bottom)}" x2="{pc(x)}" '
            f'y2="{n(bottom + 4)}" stroke="{AXIS}"/>'
        )
        out.append(text(pc(x), bottom + 17, label, anchor=anchor_at(x, label), css="tg-date"))
    return out


def _series(data: list[tuple[datetime, float]], y_of: Scale, unit: str) -> list[str]:
    first, last = data[0][0], data[-1][0]
    at = [(pc(x_fraction(t, first, last)), n(y_of(v))) for t, v in data]
    out = [
        f'<line class="tg-series" x1="{a[0]}" y1="{a[1]}" x2="{b[0]}" y2="{b[1]}" '
        f'stroke="{SERIES}" stroke-width="2" stroke-linecap="round"/>'
        for a, b in pairwise(at)
    ]
    if len(data) > MOST_DOTS:
        return out
    out.append(f'<g class="tg-points" fill="{SERIES}">')
    for (moment, value), (x, y) in zip(data, at, strict=True):
        tip = escape(f"{moment:%Y-%m-%d %H:%M}: {with_unit(value, unit, exact=True)}")
        out.append(f'<circle cx="{x}" cy="{y}" r="3.5"><title>{tip}</title></circle>')
    return [*out, "</g>"]
