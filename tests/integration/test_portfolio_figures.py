"""The portfolio figures of the read model (board_figures.computed, aggregated by PostgreSQL
over each row's contribution columns) equal the pure `portfolio()` over the decoded rows,
field for field and in the same order: for several filters and stale thresholds, on a
randomized portfolio of every outcome with business cases, applied live event by event,
after the migration's backfill of rows stored before it, and after a rebuild.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from importlib import resources
from typing import Any

import msgspec
import nats
import pytest_asyncio

from infra.bus import ensure_stream
from infra.consumer import replay
from infra.db import Pool, connect, create_pool
from infra.migrations import migrate
from infra.settings import Settings
from services.projection.board import Filters
from services.projection.board_figures import computed
from services.projection.contribution import COLUMNS
from services.projection.rebuild import rebuild
from services.projection.store import CLOUDEVENT, apply_live
from tests.integration.portfolio_reference import reference
from tests.integration.portfolio_world import streams
from tests.integration.test_projection_support import own_projection, publish

FILTERS = (
    Filters(),
    Filters(owner="owner2"),
    Filters(status="active"),
    Filters(status="killed"),
    Filters(q="idea 1"),
    Filters(risk_class="limited", owner="OWNER3"),
    Filters(member="nobody"),  # no initiative: the empty figures
)
STALE_DAYS = (0, 30, 365)
BACKFILL = (resources.files("infra") / "sql/projection/006_portfolio_figures.sql").read_text()


@pytest_asyncio.fixture
async def bus(settings: Settings) -> AsyncIterator[Settings]:
    async with own_projection(settings) as own:
        yield own


async def applied_live(js: Any, bus: Settings, last: int) -> None:
    """The projection consumer's own step, per event in stream order."""
    conn = await connect(bus.database_url)
    await migrate(conn, "projection", "projection")
    async for chunk in replay(js, bus.stream, bus.subjects.events, start=1, end=last):
        for sequence, data in chunk:
            async with conn.transaction():
                await apply_live(conn, CLOUDEVENT.decode(data), sequence)
    await conn.close()


async def assert_figures_equal_the_pure_ones(pool: Pool) -> None:
    for f in FILTERS:
        for stale_days in STALE_DAYS:
            got = await computed(pool, f, stale_days)
            want = await reference(pool, f, got.as_of, stale_days)
            assert got == want, (f, stale_days)
            assert msgspec.json.encode(got) == msgspec.json.encode(want), (f, stale_days)


async def contributions(pool: Pool) -> list[tuple[Any, ...]]:
    sql = f"SELECT initiative_id, {', '.join(COLUMNS)} FROM projection.initiatives"
    return [tuple(r) for r in await pool.fetch(f"{sql} ORDER BY initiative_id")]


async def everything(pool: Pool) -> list[dict[str, Any]]:
    """Every column of every row; documents compared decoded."""
    rows = await pool.fetch("SELECT * FROM projection.initiatives ORDER BY initiative_id")
    docs = ("summary", "doc")
    return [{**dict(r), **{d: msgspec.json.decode(r[d]) for d in docs}} for r in rows]


async def test_the_read_models_figures_equal_the_pure_ones_live_backfilled_and_rebuilt(
    bus: Settings,
):
    nc = await nats.connect(bus.nats_url)
    js = nc.jetstream()
    await ensure_stream(js, bus.subjects)
    last = await publish(js, bus, [ce for events in streams(160, seed=5) for ce in events])
    await applied_live(js, bus, last)
    pool = await create_pool(bus.database_url)

    everyone = await reference(pool, Filters(), (await computed(pool, Filters(), 30)).as_of, 30)
    assert everyone.total == 160 and len(everyone.per_status) == 5
    assert all(c.decided > c.passed > 0 for c in everyone.conversion)
    assert all(t.visits > 1 for t in everyone.cycle_times)
    assert everyone.stale and everyone.value and len(everyone.value.points) > 20
    assert {g.currency for g in everyone.value.per_stage} == {"EUR", "USD", "CHF"}
    await assert_figures_equal_the_pure_ones(pool)

    # rows stored before the migration: its backfill gives what the projection writes
    live = await contributions(pool)
    await pool.execute(
        "UPDATE projection.initiatives SET sponsor = '', gates_passed = '{}', "
        "gates_decided = '{}', visit_stages = '{}', visit_entered = '{}', visit_left = '{}', "
        "case_currency = NULL, case_realised = NULL, poc_from = NULL, stopped_at = NULL"
    )
    await pool.execute(BACKFILL.replace("{schema}", "projection"))
    assert await contributions(pool) == live

    rows = await everything(pool)
    result = await rebuild(bus)
    assert result.position == last
    assert await everything(pool) == rows
    await assert_figures_equal_the_pure_ones(pool)
    await pool.close()
    await nc.close()
