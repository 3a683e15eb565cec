"""Business-case figures of one initiative (the dossier) and of the portfolio: invested cost,
expected and realised value per stage and per sponsor, and the value-versus-effort points.

Computed when read, at `now` (or `as_of`), from each row's business-case document
(views/business_case.py) and, for one initiative's payback, its KPI series; the formulas
are in views/value.py. Amounts are summed per currency, never across currencies. A killed
initiative's invested cost counts (the money is spent), its expected value does not, and it
is no point on the chart.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import msgspec

from events.business_case import BusinessCase, Confidence
from services.projection.views import value
from services.projection.views.business_case import CaseVersion
from services.projection.views.initiative import Initiative


class CaseFigures(msgspec.Struct, frozen=True, kw_only=True):
    """The case in force, its history by stage, and what it realised and cost by `as_of`."""

    case: BusinessCase
    stage: str  # the stage that recorded the case in force
    history: tuple[CaseVersion, ...]
    as_of: datetime
    realised_value: float
    realised_until: datetime | None  # the last measurement counted
    below_baseline: bool  # the KPI did worse than its baseline: realised value is negative
    invested_cost: float
    planned_cost: float
    effort: float  # invested + planned
    payback_at: datetime | None  # when the realised value covered the invested cost
    expected_payback_months: float | None  # from the expected value; none once stopped
    kpi_name: str | None = None
    kpi_unit: str | None = None
    measurements: int = 0  # of the KPI that carries the value
    stopped_at: datetime | None = None  # killed or retired by then: no payback is expected


class ValueGroup(msgspec.Struct, frozen=True, kw_only=True):
    key: str  # the stage or the sponsor
    currency: str
    cases: int
    invested_cost: float
    expected_annual_value: float  # of the initiatives not killed
    realised_value: float


class ValuePoint(msgspec.Struct, frozen=True, kw_only=True):
    initiative_id: str
    title: str
    stage: str
    status: str
    sponsor: str
    currency: str
    confidence: Confidence
    effort: float  # invested + planned cost
    invested_cost: float
    expected_annual_value: float
    realised_value: float


class PortfolioValue(msgspec.Struct, frozen=True, kw_only=True):
    per_stage: list[ValueGroup]
    per_sponsor: list[ValueGroup]
    points: list[ValuePoint]  # value versus effort, one per live or launched case


def case_figures(row: Initiative, now: datetime) -> CaseFigures | None:
    v = row.business_case
    case = v.latest
    if case is None:
        return None
    kpi = row.facts.kpis.get(case.kpi_id) if case.kpi_id else None
    realised = round(value.realised(case, v.accrual), 2)
    invested = round(value.invested(case, v.spending, now), 2)
    planned = round(value.planned(case, v.spending, now), 2)
    payback = value.payback_at(case, kpi.definition, kpi.measurements, v.spending) if kpi else None
    stop = v.spending.stopped_at
    stopped = stop if stop is not None and stop <= now else None
    return CaseFigures(
        case=case, stage=v.history[-1].stage, history=v.history, as_of=now,
        realised_value=realised, realised_until=v.accrual.last_at if kpi else None,
        below_baseline=realised < 0, invested_cost=invested, planned_cost=planned,
        effort=round(invested + planned, 2), payback_at=payback,
        expected_payback_months=None if stopped else value.expected_payback_months(case),
        kpi_name=kpi.definition.name if kpi else None,
        kpi_unit=kpi.definition.unit if kpi else None,
        measurements=v.accrual.measurements if kpi else 0, stopped_at=stopped,
    )  # fmt: skip


def point(row: Initiative, now: datetime) -> ValuePoint | None:
    """The row's case at `now` without the KPI series (the portfolio never reads it)."""
    v, s = row.business_case, row.summary
    case = v.latest
    if case is None:
        return None
    who = (row.initiative_id, s.title, s.stage, s.status, s.sponsor)
    return case_point(who, case, v.spending, value.realised(case, v.accrual), now)


def case_point(
    who: tuple[str, str, str, str, str],
    case: BusinessCase,
    spending: value.Spending,
    realised: float,
    now: datetime,
) -> ValuePoint:
    """A case's point at `now`. `who`: the initiative's id, title, stage, status and
    sponsor; `realised`: its realised value, unrounded (the KPI series moves it, not now)."""
    initiative_id, title, stage, status, sponsor = who
    invested = value.invested(case, spending, now)
    return ValuePoint(
        initiative_id=initiative_id, title=title, stage=stage, status=status, sponsor=sponsor,
        currency=case.currency, confidence=case.confidence,
        effort=round(invested + value.planned(case, spending, now), 2),
        invested_cost=round(invested, 2), expected_annual_value=case.expected_annual_value,
        realised_value=round(realised, 2),
    )  # fmt: skip


def portfolio_value(
    rows: list[Initiative], now: datetime, stages: tuple[str, ...]
) -> PortfolioValue:
    return summed([p for p in (point(r, now) for r in rows) if p is not None], stages)


def summed(points: list[ValuePoint], stages: tuple[str, ...]) -> PortfolioValue:
    """Per stage and per sponsor (in each currency), and the points of live or launched
    cases, the largest expected value first (ties in the order given)."""
    order = {s: i for i, s in enumerate(stages)}
    return PortfolioValue(
        per_stage=_groups(points, lambda p: p.stage, lambda k: (order.get(k, 99), k)),
        per_sponsor=_groups(points, lambda p: p.sponsor, lambda k: (0, k.lower())),
        points=sorted(
            (p for p in points if p.status != "killed"), key=lambda p: -p.expected_annual_value
        ),
    )


def _groups(
    points: list[ValuePoint],
    key: Callable[[ValuePoint], str],
    order: Callable[[str], tuple[int, str]],
) -> list[ValueGroup]:
    sums: dict[tuple[str, str], list[float]] = {}
    for p in points:
        kept = sums.setdefault((key(p), p.currency), [0, 0.0, 0.0, 0.0])
        kept[0] += 1
        kept[1] += p.invested_cost
        kept[2] += p.expected_annual_value if p.status != "killed" else 0.0
        kept[3] += p.realised_value
    return [
        ValueGroup(key=k, currency=c, cases=int(n), invested_cost=round(i, 2),
                   expected_annual_value=round(e, 2), realised_value=round(r, 2))
        for (k, c), (n, i, e, r) in sorted(sums.items(), key=lambda kv: (order(kv[0][0]), kv[0][1]))
    ]  # fmt: skip
