"""The portfolio figures of the board's filtered initiatives: funnel, conversion per gate,
outcomes, cycle times and stale ones.

They need each matching row's summary, gate history and stage visits (never the KPI
series), which at 1,000 initiatives is PostgreSQL detoasting every row: 50-90 ms. So the
figures are kept per filter for up to TTL seconds while the read models stay at the same
position: a board refreshed by every open page after an event computes them once.
"""

from __future__ import annotations

import asyncio
import time
from collections import OrderedDict
from datetime import datetime

import msgspec

from infra.db import Pool
from services.projection import portfolio as figures
from services.projection.board import VISITS, Filters
from services.projection.models import Portfolio
from services.projection.queries import I, _now, applied_position
from services.projection.store import SUMMARY
from services.projection.time_travel import rows_as_of
from services.projection.views.gate_history import GateHistory
from services.projection.views.initiative import Initiative

GATES = msgspec.json.Decoder(GateHistory)
TTL = 30.0  # s: cycle times and staleness move with the clock, slowly
KEPT = 64  # filter combinations kept
Key = tuple[int, Filters, int]
_kept: OrderedDict[Key, tuple[int, float, Portfolio]] = OrderedDict()
_computing: dict[Key, tuple[int, asyncio.Future[Portfolio]]] = {}


async def portfolio(
    pool: Pool, f: Filters, *, stale_days: int, as_of: datetime | None = None
) -> Portfolio:
    """The figures of the initiatives the filters keep, now (kept while the read models
    stay at one position, up to TTL) or as of a past moment (folded, never kept)."""
    if as_of is not None:
        rows = [r for r in (await rows_as_of(pool, as_of)).values() if r.summary.proposed_at]
        kept = [r for r in rows if f.keeps(figures.summary_at(r.summary, r, as_of))]
        return figures.portfolio(kept, as_of, stale_days)
    key = (id(pool), f, stale_days)
    position = await applied_position(pool)
    found = _kept.get(key)
    if found and found[0] == position and time.monotonic() - found[1] < TTL:
        _kept.move_to_end(key)
        return found[2]
    # one computation per key at a time: the requests arriving meanwhile share its result
    running = _computing.get(key)
    if running is None or running[0] != position:
        running = (position, asyncio.ensure_future(computed(pool, f, stale_days)))
        _computing[key] = running
    try:
        figures_now = await asyncio.shield(running[1])
    finally:
        if running[1].done() and _computing.get(key) is running:
            del _computing[key]
    _kept[key] = (position, time.monotonic(), figures_now)
    while len(_kept) > KEPT:
        _kept.popitem(last=False)
    return figures_now


async def computed(pool: Pool, f: Filters, stale_days: int) -> Portfolio:
    """The figures now, from the summary, gate history and visits of each matching row."""
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
