"""Metrics: per KPI its definition, the series of measurements, latest value, trend, on-target.

A measurement may arrive before its KPI's definition (another stage's stream): it is
kept, and on-target is judged once the definition is known.
"""

from __future__ import annotations

from bisect import bisect
from datetime import datetime
from typing import Literal

from msgspec.structs import replace

from events import gates, kpis, pilot, production
from events.base import Event, Frozen
from events.facts import on_target
from events.kpis import Direction, Importance, KpiDefinition, Measurement

Trend = Literal["improving", "worsening", "flat", "unknown"]


class Point(Frozen, frozen=True, kw_only=True):
    measurement_id: str
    at: datetime
    value: float
    source: str = "manual"


class KpiView(Frozen, frozen=True, kw_only=True):
    kpi_id: str
    name: str = ""
    unit: str = ""
    baseline: float | None = None
    target: float | None = None
    direction: Direction = "higher"
    importance: Importance = "must"
    defined: bool = False
    series: tuple[Point, ...] = ()
    latest: float | None = None
    latest_at: datetime | None = None
    trend: Trend = "unknown"
    on_target: bool = False
    breached: bool = False


class Metrics(Frozen, frozen=True, kw_only=True):
    kpis: dict[str, KpiView] = {}


def project(m: Metrics, event: Event) -> Metrics:
    match event:
        case kpis.KpiMeasured():  # the most frequent first
            return _measured(m, event.measurement())
        case pilot.KpiDefined():
            return _defined(m, event.kpi)
        case gates.StageOpened():
            for d in event.handoff.kpis:
                m = _defined(m, d)
            for point in event.handoff.measurements:
                m = _measured(m, point)
            return m
        case production.KpiBreached():
            kpi = m.kpis.get(event.kpi_id, KpiView(kpi_id=event.kpi_id))
            return _put(m, replace(kpi, breached=True))
        case _:
            return m


def _put(m: Metrics, kpi: KpiView) -> Metrics:
    return replace(m, kpis={**m.kpis, kpi.kpi_id: _derived(kpi)})


def _defined(m: Metrics, d: KpiDefinition) -> Metrics:
    kpi = m.kpis.get(d.kpi_id, KpiView(kpi_id=d.kpi_id))
    kpi = replace(kpi, name=d.name, unit=d.unit, baseline=d.baseline, target=d.target,
                  direction=d.direction, importance=d.importance, defined=True)  # fmt: skip
    return _put(m, kpi)


def _order(p: Point) -> tuple[datetime, str]:
    return p.at, p.measurement_id


def _measured(m: Metrics, x: Measurement) -> Metrics:
    """Insert in time order, once: a repeat (a handoff carries the earlier stage's points)
    has the same time and id. Launched KPIs collect thousands of points: the latest point
    so far (nearly every one) is added without a search, another is placed by bisect in
    O(log n); the copy runs in C (tuple concatenation, not unpacking: a fifth of a
    rebuild's fold went to unpacking series of a hundred points)."""
    kpi = m.kpis.get(x.kpi_id, KpiView(kpi_id=x.kpi_id))
    point = Point(measurement_id=x.measurement_id, at=x.at, value=x.value, source=x.source)
    series, order = kpi.series, _order(point)
    if not series or _order(series[-1]) < order:  # the usual case: the latest so far
        return _put(m, replace(kpi, series=series + (point,)))  # noqa: RUF005 (faster)
    i = bisect(series, order, key=_order)
    if i and _order(series[i - 1]) == order:
        return m
    return _put(m, replace(kpi, series=series[:i] + (point,) + series[i:]))  # noqa: RUF005


def definition(kpi: KpiView) -> KpiDefinition | None:
    if not kpi.defined or kpi.baseline is None or kpi.target is None:
        return None
    return KpiDefinition(kpi_id=kpi.kpi_id, name=kpi.name or kpi.kpi_id, unit=kpi.unit or "-",
                         baseline=kpi.baseline, target=kpi.target, direction=kpi.direction,
                         importance=kpi.importance)  # fmt: skip


def _derived(kpi: KpiView) -> KpiView:
    if not kpi.series:
        return kpi
    last = kpi.series[-1]
    d = definition(kpi)
    hit = d is not None and on_target(d, last.value)
    return replace(kpi, latest=last.value, latest_at=last.at, trend=_trend(kpi), on_target=hit,
                   breached=kpi.breached and not hit)  # fmt: skip


def _trend(kpi: KpiView) -> Trend:
    """Latest value against the one before, read in the KPI's better direction."""
    if len(kpi.series) < 2:
        return "unknown"
    delta = kpi.series[-1].value - kpi.series[-2].value
    if delta == 0:
        return "flat"
    better = delta > 0 if kpi.direction == "higher" else delta < 0
    return "improving" if better else "worsening"
