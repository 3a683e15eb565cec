"""A KPI as the initiative page and the committee pack show it: its chart, and a table of
its measurements, newest first, each judged against the target."""

from __future__ import annotations

import msgspec

from events.wording import with_unit
from services.projection.views.metrics import KpiView
from web import charts

MOST_ROWS = 50  # measurements a table lists (the newest); the chart shows them all


class Measured(msgspec.Struct, frozen=True, kw_only=True):
    at: str  # "2026-03-02 09:00 UTC"
    value: str  # with its unit
    verdict: str  # "on target", "off target", or "" without a target


class KpiFigure(msgspec.Struct, frozen=True, kw_only=True):
    kpi: KpiView
    chart: str  # safe HTML (web.charts)
    rows: list[Measured]
    earlier: int  # older measurements the table leaves out


def verdict(k: KpiView, value: float) -> str:
    if k.target is None:
        return ""
    met = value >= k.target if k.direction == "higher" else value <= k.target
    return "on target" if met else "off target"


def figure(k: KpiView, most_rows: int = MOST_ROWS) -> KpiFigure:
    chart = charts.line_chart(
        [(p.at, p.value) for p in k.series],
        baseline=k.baseline,
        target=k.target,
        title=k.name or "Unnamed KPI",
        unit=k.unit,
    )
    newest = sorted(k.series, key=lambda p: p.at, reverse=True)[:most_rows]
    rows = [
        Measured(
            at=f"{p.at:%Y-%m-%d %H:%M} UTC",
            value=with_unit(p.value, k.unit),
            verdict=verdict(k, p.value),
        )
        for p in newest
    ]
    return KpiFigure(kpi=k, chart=chart, rows=rows, earlier=len(k.series) - len(rows))


def figures(metrics: list[KpiView], most_rows: int = MOST_ROWS) -> list[KpiFigure]:
    return [figure(k, most_rows) for k in metrics]
