"""The portfolio figures aggregated by PostgreSQL over each row's contribution columns
(contribution.py), never over its document: counts and conversion per group of rows, cycle
times as percentiles, and only the stale rows and the business cases row by row.

They equal, field for field, `portfolio.portfolio` over the same rows taken in initiative
id order: that order breaks the ties of the stale list and of the value points, and orders
the statuses as first seen. PostgreSQL returns exact seconds and unrounded amounts; Python
rounds them with the functions portfolio.py rounds with (the percentile of rounded
durations is the rounded percentile of the durations: rounding keeps their order).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from events.business_case import BusinessCase
from events.gates import Gate
from infra.db import Pool
from services.projection.board import Filters
from services.projection.models import GateConversion, Portfolio, StageTime, StaleItem
from services.projection.portfolio import GATES, LIVE, in_days, longest_first
from services.projection.store import SCHEMA
from services.projection.value_figures import PortfolioValue, case_point, summed
from services.projection.views.stages import STAGES
from services.projection.views.value import Spending

I = f"{SCHEMA}.initiatives"  # noqa: E741
GROUPS = (
    "SELECT stage, status, count(*) AS n, min(initiative_id) AS first, "
    + ", ".join(
        f"count(*) FILTER (WHERE '{g}' = ANY(gates_passed)) AS passed_{g}, "
        f"count(*) FILTER (WHERE '{g}' = ANY(gates_decided)) AS decided_{g}"
        for g in GATES
    )
    + " FROM {I}{where} GROUP BY stage, status"
)
# Spans are intervals (timedelta in Python, whose seconds are what portfolio.days takes);
# portfolio.percentile is the nearest rank, as percentile_disc: 50 / 100 and 90 / 100
VISITS = (
    "SELECT vs AS stage, count(*) AS n, percentile_disc(ARRAY[0.5, 0.9]) WITHIN GROUP "
    "(ORDER BY coalesce(vl, {now}) - ve) AS spans FROM {I} CROSS JOIN LATERAL "
    "unnest(visit_stages, visit_entered, visit_left) AS v(vs, ve, vl){where} GROUP BY vs"
)
# the stage clock: since entering the stage until the current visit ended, or now
IN_STAGE = "coalesce(visit_left[cardinality(visit_left)], {now}) - entered_stage_at"
LIVE_SQL = ", ".join(f"'{s}'" for s in LIVE)
STALE = (  # a superset of the stale rows: Python keeps those whose rounded days exceed
    f"SELECT initiative_id, title, owner, stage, status, {IN_STAGE} AS span FROM {{I}}"
    f"{{where}} AND status IN ({LIVE_SQL}) AND stage <> 'production' AND (greatest("
    f"{IN_STAGE}, interval '0') > {{days}} OR entered_stage_at IS NULL) ORDER BY initiative_id"
)
CASES = (
    "SELECT initiative_id, title, stage, status, sponsor, case_currency, case_confidence, "
    "case_expected, case_one_off, case_running, case_realised, poc_from, pilot_from, "
    "stopped_at FROM {I}{where} AND case_currency IS NOT NULL ORDER BY initiative_id"
)


async def figures(pool: Pool, f: Filters, stale_days: int, now: datetime) -> Portfolio:
    """The figures of the rows the filters keep, at `now`, all read in one snapshot."""
    where, args = f.sql()
    n = len(args)
    sql = {"I": I, "where": where, "now": f"${n + 1}", "days": f"${n + 2}"}
    both = _and(where)  # for the statements that add a condition of their own
    async with pool.acquire() as conn, conn.transaction(isolation="repeatable_read"):
        groups = await conn.fetch(GROUPS.format(**sql), *args)
        visits = await conn.fetch(VISITS.format(**sql), *args, now)
        stale = await conn.fetch(
            STALE.format(**{**sql, "where": both}), *args, now, timedelta(days=stale_days)
        )
        cases = await conn.fetch(CASES.format(**{**sql, "where": both}), *args)
    statuses = _statuses(groups)
    total = sum(statuses.values())
    return Portfolio(
        as_of=now,
        total=total,
        per_stage=_per_stage(groups),
        per_status=statuses,
        conversion=[_conversion(groups, g) for g in GATES],
        cycle_times=_cycle_times(visits),
        kill_rate=round(statuses.get("killed", 0) / total, 3) if total else 0.0,
        stale_days=stale_days,
        stale=_stale(stale, stale_days),
        value=_value(cases, now),
    )


def _and(where: str) -> str:
    """The filters' WHERE clause, ready for one more condition after it."""
    return f"{where} AND TRUE" if where else " WHERE TRUE"


def _statuses(groups: list[Any]) -> dict[str, int]:
    """Counts per status, the statuses in the order their first initiative comes."""
    counts: dict[str, int] = {}
    first: dict[str, str] = {}
    for g in groups:
        counts[g["status"]] = counts.get(g["status"], 0) + g["n"]
        first[g["status"]] = min(first.get(g["status"], g["first"]), g["first"])
    return {s: counts[s] for s in sorted(counts, key=lambda s: first[s])}


def _per_stage(groups: list[Any]) -> dict[str, int]:
    counts: dict[str, int] = dict.fromkeys(STAGES, 0)
    for g in groups:
        if g["stage"] in counts:
            counts[g["stage"]] += g["n"]
    return counts


def _conversion(groups: list[Any], gate: Gate) -> GateConversion:
    passed = sum(g[f"passed_{gate.lower()}"] for g in groups)
    decided = sum(g[f"decided_{gate.lower()}"] for g in groups)
    rate = round(passed / decided, 3) if decided else None
    return GateConversion(gate=gate, decided=decided, passed=passed, rate=rate)


def _cycle_times(visits: list[Any]) -> list[StageTime]:
    found = {v["stage"]: v for v in visits}
    out = []
    for s in STAGES:
        v = found.get(s)
        median = None if v is None else in_days(v["spans"][0].total_seconds())
        p90 = None if v is None else in_days(v["spans"][1].total_seconds())
        out.append(StageTime(stage=s, visits=v["n"] if v else 0, median_days=median, p90_days=p90))
    return out


def _stale(rows: list[Any], stale_days: int) -> list[StaleItem]:
    items = [
        StaleItem(
            initiative_id=r["initiative_id"],
            title=r["title"],
            owner=r["owner"],
            stage=r["stage"],
            status=r["status"],
            days_in_stage=0.0 if r["span"] is None else in_days(r["span"].total_seconds()),
        )
        for r in rows
    ]
    return longest_first(items, stale_days)


def _value(cases: list[Any], now: datetime) -> PortfolioValue:
    points = []
    for r in cases:
        case = BusinessCase(
            expected_annual_value=r["case_expected"],
            one_off_cost=r["case_one_off"],
            running_cost_per_year=r["case_running"],
            confidence=r["case_confidence"],
            currency=r["case_currency"],
        )
        spending = Spending(
            poc_from=r["poc_from"], pilot_from=r["pilot_from"], stopped_at=r["stopped_at"]
        )
        who = (r["initiative_id"], r["title"], r["stage"], r["status"], r["sponsor"])
        points.append(case_point(who, case, spending, r["case_realised"], now))
    return summed(points, STAGES)
