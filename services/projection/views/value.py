"""Portfolio value: what a business case realised, what it cost so far, and its payback.

The formulas (YEAR = 365.25 days; `u` is the case's value per unit of KPI improvement, a
yearly value):

- improvement(v) = v - baseline for a KPI where higher is better, baseline - v where lower
  is better: positive when the KPI moved the right way, negative when it got worse.
- realised value = u x sum over consecutive measurements i of
  improvement(v_i) x (t_{i+1} - t_i) / YEAR: each interval between two measurements earns
  at the earlier measurement's improvement. Nothing is extrapolated past the last
  measurement, so one measurement alone realises nothing. A KPI worse than its baseline
  realises a negative value, which is shown as such and flagged (`below_baseline`), never
  hidden.
- invested cost at time t = the one-off cost in full once the PoC opened (G1's go commits
  the build budget) + the running cost per year pro rata from the pilot's opening (when the
  system first runs for real users) until t, or until the initiative was killed or retired.
  The latest case's costs apply to the whole history: a refinement re-estimates the case.
- planned cost, while the initiative lives (nothing once killed or retired) = the one-off
  cost while the PoC has not opened + the next year's running cost; effort = invested +
  planned.
- payback = the first measurement at which the realised value so far covers the cost
  invested by then; while nothing is realised, the expected payback in months =
  one-off cost / ((expected annual value - running cost per year) / 12), none when the
  expected value does not exceed the running cost.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from events.base import Frozen
from events.business_case import BusinessCase
from events.kpis import KpiDefinition, Measurement

YEAR = 365.25 * 86400.0  # seconds


class Spending(Frozen, frozen=True, kw_only=True):
    """When spending started and stopped: the PoC's and the pilot's opening, the end."""

    poc_from: datetime | None = None
    pilot_from: datetime | None = None
    stopped_at: datetime | None = None  # killed or retired: no more running cost


class Accrual(Frozen, frozen=True, kw_only=True):
    """The KPI's improvement accumulated over time, in unit-years, up to the last
    measurement (`last_at`), whose improvement the next interval earns at."""

    unit_years: float = 0.0
    last_at: datetime | None = None
    last_improvement: float = 0.0
    measurements: int = 0


def improvement(kpi: KpiDefinition, value: float) -> float:
    return value - kpi.baseline if kpi.direction == "higher" else kpi.baseline - value


def accrue(a: Accrual, kpi: KpiDefinition, m: Measurement) -> Accrual:
    """One more measurement, at or after the last one (see `accrued` for any order)."""
    earned = 0.0
    if a.last_at is not None:
        earned = a.last_improvement * (m.at - a.last_at).total_seconds() / YEAR
    return Accrual(
        unit_years=a.unit_years + earned,
        last_at=m.at,
        last_improvement=improvement(kpi, m.value),
        measurements=a.measurements + 1,
    )


def accrued(kpi: KpiDefinition, series: Sequence[Measurement]) -> Accrual:
    a = Accrual()
    for m in sorted(series, key=lambda m: m.at):
        a = accrue(a, kpi, m)
    return a


def realised(case: BusinessCase, a: Accrual) -> float:
    return a.unit_years * case.value_per_unit if case.kpi_id else 0.0


def invested(case: BusinessCase, s: Spending, now: datetime) -> float:
    one_off = case.one_off_cost if s.poc_from is not None and s.poc_from <= now else 0.0
    return one_off + case.running_cost_per_year * _running_years(s, now)


def _running_years(s: Spending, now: datetime) -> float:
    if s.pilot_from is None or s.pilot_from > now:
        return 0.0
    end = min(now, s.stopped_at) if s.stopped_at else now
    return max((end - s.pilot_from).total_seconds(), 0.0) / YEAR


def planned(case: BusinessCase, s: Spending, now: datetime) -> float:
    live = s.stopped_at is None or s.stopped_at > now
    if not live:  # killed or retired: nothing more will be spent
        return 0.0
    one_off = case.one_off_cost if s.poc_from is None or s.poc_from > now else 0.0
    return one_off + case.running_cost_per_year


def payback_at(
    case: BusinessCase, kpi: KpiDefinition, series: Sequence[Measurement], s: Spending
) -> datetime | None:
    """The first measurement at which the value realised so far covers the cost invested
    by then; None while it does not (or with no KPI, or nothing realised)."""
    if case.kpi_id is None:
        return None
    a = Accrual()
    for m in sorted(series, key=lambda m: m.at):
        a = accrue(a, kpi, m)
        value = realised(case, a)
        if value > 0 and value >= invested(case, s, m.at):
            return m.at
    return None


def expected_payback_months(case: BusinessCase) -> float | None:
    """Months of expected net value (expected minus running cost) to earn the one-off
    cost back; None when the expected value does not exceed the running cost."""
    net = case.expected_annual_value - case.running_cost_per_year
    if net <= 0:
        return None
    return round(case.one_off_cost / (net / 12), 1)
