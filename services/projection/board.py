"""The board's reads: each stage's column (its first cards in the chosen order, and how
many match), and the portfolio figures of the same filtered initiatives.

A column reads only the cards it shows (one LIMIT per stage, in one statement), so the
board costs the same with 30 initiatives or 1,000. The figures decode only the summary,
gate history and stage visits of each matching row, never the KPI series.
"""

from __future__ import annotations

from datetime import datetime

import msgspec

from events.base import STAGES
from infra.db import Pool
from services.projection import portfolio as figures
from services.projection.models import Portfolio
from services.projection.ordering import ORDER_BY, Sort, ordered
from services.projection.queries import I, _filters, _matches, _member, _now, _summary
from services.projection.store import SUMMARY
from services.projection.time_travel import rows_as_of
from services.projection.views.gate_history import GateHistory
from services.projection.views.initiative import Initiative
from services.projection.views.summary import Summary
from services.projection.views.visits import Visits

GATES = msgspec.json.Decoder(GateHistory)
VISITS = msgspec.json.Decoder(Visits)


class Filters(msgspec.Struct, frozen=True, kw_only=True):
    """What the board (and the list) filter by; `member`: an account owning the initiative
    or on its team (the "Mine" filter)."""

    owner: str | None = None
    status: str | None = None
    risk_class: str | None = None
    q: str | None = None
    member: str | None = None

    def sql(self) -> tuple[str, list[object]]:
        return _filters(
            self.owner, self.member, status=self.status, risk_class=self.risk_class, search=self.q
        )

    def keeps(self, s: Summary) -> bool:
        wanted = (None, self.status, self.owner, self.risk_class, self.q)
        return _matches(s, *wanted) and (self.member is None or _member(s, self.member))


class Column(msgspec.Struct, frozen=True, kw_only=True):
    stage: str
    cards: list[Summary]  # the first `shown` in the chosen order
    total: int  # every matching initiative in this stage


async def columns(
    pool: Pool, f: Filters, shown: dict[str, int], sort: Sort, as_of: datetime | None = None
) -> list[Column]:
    """Per stage the first `shown[stage]` matching initiatives in `sort` order, and the count."""
    if as_of is not None:
        return await _columns_as_of(pool, f, shown, sort, as_of)
    where, args = f.sql()
    n = len(args)
    grouped = await pool.fetch(f"SELECT stage, count(*) FROM {I}{where} GROUP BY stage", *args)
    counts = {r["stage"]: int(r["count"]) for r in grouped}
    inner = f"{where} AND stage = s.stage" if where else " WHERE stage = s.stage"
    records = await pool.fetch(
        f"SELECT s.stage, c.summary, c.doc FROM unnest(${n + 1}::text[], ${n + 2}::int[]) "
        f"WITH ORDINALITY AS s(stage, shown, k) CROSS JOIN LATERAL (SELECT summary, doc FROM "
        f"{I}{inner} ORDER BY {ORDER_BY[sort]} LIMIT s.shown) c ORDER BY s.k",
        *args,
        list(STAGES),
        [shown.get(stage, 0) for stage in STAGES],
    )
    now = _now()
    cards: dict[str, list[Summary]] = {stage: [] for stage in STAGES}
    for r in records:
        cards[r["stage"]].append(_summary(r["summary"], r["doc"], now))
    return [Column(stage=s, cards=cards[s], total=counts.get(s, 0)) for s in STAGES]


async def _columns_as_of(
    pool: Pool, f: Filters, shown: dict[str, int], sort: Sort, as_of: datetime
) -> list[Column]:
    rows = [r for r in (await rows_as_of(pool, as_of)).values() if r.summary.proposed_at]
    found = ordered(
        [s for s in (figures.summary_at(r.summary, r, as_of) for r in rows) if f.keeps(s)], sort
    )
    out = []
    for stage in STAGES:
        here = [s for s in found if s.stage == stage]
        out.append(Column(stage=stage, cards=here[: shown.get(stage, 0)], total=len(here)))
    return out


async def portfolio(
    pool: Pool, f: Filters, *, stale_days: int, as_of: datetime | None = None
) -> Portfolio:
    """The portfolio figures (funnel, conversion, outcomes, cycle times, stale) of the
    initiatives the filters keep, now or as of a past moment."""
    if as_of is not None:
        rows = [r for r in (await rows_as_of(pool, as_of)).values() if r.summary.proposed_at]
        kept = [r for r in rows if f.keeps(figures.summary_at(r.summary, r, as_of))]
        return figures.portfolio(kept, as_of, stale_days)
    where, args = f.sql()
    records = await pool.fetch(
        f"SELECT initiative_id, summary, doc->'gates' AS gates, doc->'visits' AS visits "
        f"FROM {I}{where}",
        *args,
    )
    rows = [
        Initiative(
            initiative_id=r["initiative_id"],
            summary=SUMMARY.decode(r["summary"]),
            gates=GATES.decode(r["gates"]),
            visits=VISITS.decode(r["visits"]),
        )
        for r in records
    ]
    return figures.portfolio(rows, _now(), stale_days)
