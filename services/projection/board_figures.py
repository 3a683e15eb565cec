"""The portfolio figures of the board's filtered initiatives: funnel, conversion per gate,
outcomes, cycle times and stale ones.

PostgreSQL aggregates them over each matching row's contribution columns (figures_model.py),
never its document; the stale rows and the business cases still come row by row. So the
figures are kept per filter for up to TTL seconds while the read models stay at the same
position: a board refreshed by every open page after an event computes them once.
"""

from __future__ import annotations

import asyncio
import time
from collections import OrderedDict
from datetime import datetime

from infra.db import Pool
from services.projection import figures_model
from services.projection import portfolio as figures
from services.projection.board import Filters
from services.projection.models import Portfolio
from services.projection.queries import _now, applied_position
from services.projection.time_travel import rows_as_of

TTL = 30.0  # s: cycle times and staleness move with the clock, slowly
KEPT = 64  # filter combinations kept
Key = tuple[int, Filters, int]
_kept: OrderedDict[Key, tuple[int, float, Portfolio]] = OrderedDict()
_computing: dict[Key, tuple[int, asyncio.Future[Portfolio]]] = {}


async def portfolio(
    pool: Pool, f: Filters, *, stale_days: int, as_of: datetime | None = None,
    stale_ok: bool = False,
) -> Portfolio:  # fmt: skip
    """The figures of the initiatives the filters keep, now (kept while the read models
    stay at one position, up to TTL) or as of a past moment (folded, never kept).
    `stale_ok`: while the figures of a newer position are computed, answer with the last
    ones at once (one computation behind at most) instead of waiting for them."""
    if as_of is not None:
        rows = [r for r in (await rows_as_of(pool, as_of)).values() if r.summary.proposed_at]
        kept = [r for r in rows if f.keeps(figures.summary_at(r.summary, r, as_of))]
        return figures.portfolio(kept, as_of, stale_days)
    key = (id(pool), f, stale_days)
    position = await applied_position(pool)
    found = _kept.get(key)
    fresh = found is not None and time.monotonic() - found[1] < TTL
    if found and fresh and found[0] == position:
        _kept.move_to_end(key)
        return found[2]
    running = _computing.get(key)
    if found and fresh and stale_ok:
        if running is None:
            _start(key, position, pool, f, stale_days)
        return found[2]
    if running is None or running[0] < position:
        running = _start(key, position, pool, f, stale_days)
    return await asyncio.shield(running[1])


def _start(
    key: Key, position: int, pool: Pool, f: Filters, stale_days: int
) -> tuple[int, asyncio.Future[Portfolio]]:
    """One computation per key at a time: the requests arriving meanwhile share its result."""
    task = asyncio.ensure_future(computed(pool, f, stale_days))
    running = (position, task)
    _computing[key] = running

    def keep(done: asyncio.Future[Portfolio]) -> None:
        if _computing.get(key) is running:
            del _computing[key]
        if done.cancelled() or done.exception() is not None:
            return
        if key in _kept and _kept[key][0] > position:  # a later computation finished first
            return
        _kept[key] = (position, time.monotonic(), done.result())
        _kept.move_to_end(key)
        while len(_kept) > KEPT:
            _kept.popitem(last=False)

    task.add_done_callback(keep)
    return running


async def computed(pool: Pool, f: Filters, stale_days: int) -> Portfolio:
    """The figures now, aggregated over the contribution columns of each matching row."""
    return await figures_model.figures(pool, f, stale_days, _now())
