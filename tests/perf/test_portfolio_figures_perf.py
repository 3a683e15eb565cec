"""The portfolio figures (GET /portfolio, the board's charts) at 10,000 initiatives: the read
model's aggregates (`board_figures.computed`) against what they were before, every matching
row's summary, gates, visits and business case decoded and folded in Python, back to back
in rounds. Prints figures and asserts nothing about time.

The initiatives (tests/integration/portfolio_world.py: every outcome, business cases) are
folded by the projection's own Fold and copied into the read-model tables, as a rebuild
writes them. `python -m tests.perf.test_portfolio_figures_perf [n]` runs it alone.
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

import pytest

from infra.db import Pool, create_pool
from infra.migrations import migrate_all
from services.projection import board_figures
from services.projection.board import Filters
from tests.integration.portfolio_reference import reference
from tests.integration.portfolio_world import streams
from tests.perf.test_board_perf import own_database
from tests.perf.test_time_travel_perf import load as copy_rows

pytestmark = pytest.mark.perf
N = 10_000
ROUNDS = 5
CALLS = 10  # per round and path: the median is kept


async def median_ms(call: Callable[[], Awaitable[Any]]) -> float:
    spent = []
    for _ in range(CALLS):
        began = time.perf_counter()
        await call()
        spent.append((time.perf_counter() - began) * 1000)
    return statistics.median(spent)


async def rounds(pool: Pool, f: Filters) -> tuple[list[float], list[float]]:
    """Per round the median of the read model's figures, then of the whole-row path."""
    now = datetime.now(UTC)
    fast, before = [], []
    for _ in range(ROUNDS):
        fast.append(await median_ms(lambda: board_figures.computed(pool, f, 30)))
        before.append(await median_ms(lambda: reference(pool, f, now, 30)))
    return fast, before


async def measure(n: int) -> None:
    async with own_database() as settings:
        await migrate_all(settings.database_url)
        pool = await create_pool(settings.database_url, max_size=4)
        try:
            began = time.perf_counter()
            async with pool.acquire() as conn:
                await copy_rows(conn, streams(n))
            loaded = time.perf_counter() - began
            print(f"\n{n:,} initiatives written by the fast path in {loaded:.1f} s")
            for name, f in (("all", Filters()), ("owner", Filters(owner="owner1"))):
                fast, before = await rounds(pool, f)
                print(f"figures, filter {name}: read model {_range(fast)} ms")
                print(f"  whole rows decoded (before): {_range(before)} ms")
        finally:
            await pool.close()


def _range(values: list[float]) -> str:
    return f"{min(values):.1f}-{max(values):.1f} (median {statistics.median(values):.1f})"


async def test_the_portfolio_figures_at_10000_initiatives():
    await measure(N)


if __name__ == "__main__":
    asyncio.run(measure(int(sys.argv[1]) if len(sys.argv) > 1 else N))
