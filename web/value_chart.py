"""The value-versus-effort chart: one circle per business case, effort (invested + planned
cost) across, expected value per year up, the colour its stage and the size what it has
realised so far. A dashed line marks where a year's expected value equals the effort: the
cases above it earn their effort back within a year, so the committee ranks from the top
left. Each circle carries its rank (by expected value); the list under the chart names it,
so no title has to fit on the plot, also on a phone (web/charts.py explains the layout).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from html import escape

from services.projection.value_figures import ValuePoint
from web.chart_scales import anchor_at, fmt, text_px, value_ticks
from web.chart_svg import AXIS, GRID, LEGEND, MUTED, TOP, frame, n, no_data, pc, svg, text

Scale = Callable[[float], float]
PLOT_HEIGHT = 240
STAGE_COLOURS = {
    "ideation": "#8e6bd6", "poc": "#2a8fd6", "pilot": "#d9822b", "mvp": "#2e9e5b",
    "production": "#1b3f73",
}  # fmt: skip
STAGE_NAMES = {"ideation": "Ideation", "poc": "PoC", "pilot": "Pilot", "mvp": "MVP",
               "production": "Production"}  # fmt: skip
INSET = 0.06  # share of the width kept free at each side, so edge circles stay inside
SMALLEST, LARGEST = 9.0, 17.0  # px: the radius of no realised value and of the most


def money(value: float, currency: str = "") -> str:
    """1,250 -> '1.3k', 2,400,000 -> '2.4M'; the currency after it when given."""
    magnitude = abs(value)
    for size, suffix in ((1e9, "bn"), (1e6, "M"), (1e3, "k")):
        if magnitude >= size:
            shown = f"{value / size:.1f}".removesuffix(".0") + suffix
            break
    else:
        shown = fmt(value)
    return f"{shown} {currency}".strip()


def value_chart(points: list[ValuePoint], *, title: str, currency: str) -> str:
    """The chart and, under it, the numbered list of the cases it shows."""
    shown = [p for p in points if p.currency == currency]
    if not shown:
        return no_data(title, "tg-value-chart")
    xs = value_ticks([0.0, *(p.effort for p in shown)])
    ys = value_ticks([0.0, *(p.expected_annual_value for p in shown)])
    bottom = TOP + PLOT_HEIGHT
    most = max((p.realised_value for p in shown), default=0.0)

    def x_of(v: float) -> float:
        return INSET + (1 - 2 * INSET) * (v - xs[0]) / (xs[-1] - xs[0])

    def y_of(v: float) -> float:
        return bottom - (v - ys[0]) / (ys[-1] - ys[0]) * PLOT_HEIGHT

    gutter = max(text_px(money(t)) for t in ys) + 10
    axis = [text(n(gutter - 6), y_of(t) + 4, money(t), anchor="end", css="tg-tick") for t in ys]
    plot = _grid(ys, y_of, bottom) + _x_ticks(xs, x_of, bottom) + _even(xs, ys, x_of, y_of)
    ranked = sorted(enumerate(shown, 1), key=lambda rp: -rp[1].realised_value)
    for rank, p in ranked:  # the largest circles first: a smaller one stays on top, readable
        plot.append(_circle(rank, p, x_of(p.effort), y_of(p.expected_annual_value), most))
    height = bottom + 40
    body = (
        f'<div style="display:flex">{svg(height, axis, n(gutter), "tg-axis")}'
        f"{svg(height, plot)}</div>{_legend()}{_listed(shown)}"
    )
    summary = f"{title}: {len(shown)} business cases in {currency}; " + "; ".join(
        f"{p.title} effort {money(p.effort)}, expected {money(p.expected_annual_value)} a year"
        for p in shown
    )
    return frame("tg-value-chart", title, summary, body, currency)


def _grid(ticks: list[float], y_of: Scale, bottom: float) -> list[str]:
    return [
        *(
            f'<line class="tg-grid" x1="0" y1="{n(y_of(t))}" x2="100%" y2="{n(y_of(t))}" '
            f'stroke="{GRID}"/>'
            for t in ticks[1:]
        ),
        f'<line class="tg-axes" x1="0" y1="{n(bottom)}" x2="100%" y2="{n(bottom)}" '
        f'stroke="{AXIS}"/>',
    ]


def _x_ticks(ticks: list[float], x_of: Scale, bottom: float) -> list[str]:
    out = [
        text(pc(x_of(t)), bottom + 16, money(t), anchor=anchor_at(x_of(t), money(t)), css="tg-tick")
        for t in ticks
    ]
    out.append(text("100%", bottom + 34, "Effort: invested + planned cost →", anchor="end",
                    css="tg-axis-title", size=12, fill=MUTED))  # fmt: skip
    return out


def _even(xs: list[float], ys: list[float], x_of: Scale, y_of: Scale) -> list[str]:
    """The break-even-in-a-year line: expected value per year = effort."""
    end = min(xs[-1], ys[-1])
    if end <= 0:
        return []
    return [
        f'<line class="tg-even" x1="{pc(x_of(0))}" y1="{n(y_of(0))}" x2="{pc(x_of(end))}" '
        f'y2="{n(y_of(end))}" stroke="{AXIS}" stroke-width="1.5" stroke-dasharray="6 4"/>'
    ]


def _circle(rank: int, p: ValuePoint, x: float, y: float, most: float) -> str:
    share = max(p.realised_value, 0.0) / most if most > 0 else 0.0
    r = SMALLEST + (LARGEST - SMALLEST) * math.sqrt(share)
    colour = STAGE_COLOURS.get(p.stage, MUTED)
    tip = escape(
        f"{rank}. {p.title} ({STAGE_NAMES.get(p.stage, p.stage)}): effort {money(p.effort)}, "
        f"expected {money(p.expected_annual_value)} a year, realised {money(p.realised_value)}"
    )
    return (
        f'<g class="tg-case" data-id="{escape(p.initiative_id)}"><title>{tip}</title>'
        f'<circle cx="{pc(x)}" cy="{n(y)}" r="{n(r)}" fill="{colour}" fill-opacity="0.85" '
        f'stroke="#fff" stroke-width="1.5"/>'
        + text(pc(x), y + 4, str(rank), anchor="middle", size=11, fill="#fff", weight="700")
        + "</g>"
    )


def _legend() -> str:
    stages = "".join(
        f'<span><svg width="12" height="12" aria-hidden="true" style="display:inline-block">'
        f'<circle cx="6" cy="6" r="5" fill="{c}"/></svg> {STAGE_NAMES[s]}</span>'
        for s, c in STAGE_COLOURS.items()
    )
    return (
        f'<div class="tg-legend" style="{LEGEND}">{stages}<span>larger: more value realised'
        "</span><span>dashed: expected value per year = effort</span></div>"
    )


def _listed(points: list[ValuePoint]) -> str:
    items = "".join(
        f'<li><a href="/initiatives/{escape(p.initiative_id)}">{escape(p.title)}</a> '
        f'<span style="color:{MUTED}">{STAGE_NAMES.get(p.stage, p.stage)}, effort '
        f"{money(p.effort)}, expected {money(p.expected_annual_value)}/yr, realised "
        f"{money(p.realised_value)}{_below(p)}, {p.confidence} confidence</span></li>"
        for p in points
    )
    return (
        '<ol class="tg-value-list" style="margin:8px 0 0;padding-left:1.6em;font-size:12px;'
        f'line-height:1.45">{items}</ol>'
    )


def _below(p: ValuePoint) -> str:
    """A negative realised value is said, never left to a minus sign."""
    return " (its KPI is worse than baseline)" if p.realised_value < 0 else ""
