"""The projection as a real process: live read models equal a rebuild, also after SIGKILL.

Events are published here as the outbox relay publishes them (CloudEvents with stream
versions), so the test covers the projection alone; the stage services are not involved.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import msgspec
import nats
import pytest_asyncio

from infra.bus import ensure_stream
from infra.db import Pool, connect, create_pool
from infra.migrations import migrate
from infra.settings import Settings
from services.projection import board_figures, queries, rebuild_store
from services.projection.board import Filters
from services.projection.contribution import COLUMNS as CONTRIBUTION
from services.projection.rebuild import Replayer, rebuild
from tests.conftest import fresh_schema
from tests.integration.bus import eventually
from tests.integration.portfolio_reference import reference
from tests.integration.test_projection_support import (
    START,
    own_projection,
    portfolio,
    publish,
    subject,
)
from tests.stack import Stack


@pytest_asyncio.fixture
async def bus(settings: Settings) -> AsyncIterator[Settings]:
    async with own_projection(settings) as own:
        yield own


async def snapshot(
    pool: Pool,
) -> tuple[list[bytes], list[tuple[str, int]], int, list[Any], list[Any]]:
    docs = [bytes(r["doc"]) for r in await pool.fetch(
        "SELECT doc FROM projection.initiatives ORDER BY initiative_id")]  # fmt: skip
    events = await pool.fetch(
        "SELECT event_id, seq FROM projection.timeline ORDER BY seq"
    )  # the timeline: every event once
    docs = [msgspec.json.encode(msgspec.json.decode(d)) for d in docs]
    processed = await pool.fetchval("SELECT count(*) FROM projection.processed")
    inbox = [tuple(r) for r in await pool.fetch(  # views/inbox.py: a function of the rows
        "SELECT * FROM projection.inbox ORDER BY initiative_id, key")]  # fmt: skip
    columns = ", ".join(CONTRIBUTION)  # contribution.py: what the portfolio figures read
    figures = [tuple(r) for r in await pool.fetch(
        f"SELECT {columns} FROM projection.initiatives ORDER BY initiative_id")]  # fmt: skip
    return docs, [(r["event_id"], r["seq"]) for r in events], processed, inbox, figures


async def caught_up(pool: Pool, last: int) -> bool:
    try:
        return await queries.applied_position(pool) >= last
    except Exception:
        return False


async def drained(js: Any, bus: Settings) -> bool:
    """Every message delivered and acknowledged: the position alone is only the highest."""
    info = await js.consumer_info(bus.stream, f"{bus.subject_root}-projection")
    return bool(info.num_pending == 0 and info.num_ack_pending == 0)


async def indexes(pool: Pool, schema: str) -> list[tuple[str, str]]:
    rows = await pool.fetch(
        "SELECT indexname, replace(indexdef, $1, 'S') FROM pg_indexes WHERE schemaname = $2"
        " ORDER BY indexname", f"{schema}.", schema,
    )  # fmt: skip
    return [(r[0], r[1]) for r in rows]


async def test_live_read_models_survive_sigkill_and_equal_a_rebuild(bus: Settings):
    nc = await nats.connect(bus.nats_url)
    js = nc.jetstream()
    await ensure_stream(js, bus.subjects)
    events = list(portfolio(45))
    stack = Stack(bus)
    await stack.start("projection")
    pool = await create_pool(bus.database_url)
    half = await publish(js, bus, events[: len(events) // 2])
    await eventually(lambda: caught_up(pool, half // 2), what="half applied")
    await stack.kill("projection")
    last = await publish(js, bus, events[len(events) // 2 :])
    await stack.start("projection")
    # messages the killed process had fetched come back after the ack wait (30 s)
    await eventually(lambda: caught_up(pool, last), timeout=30, what="the last applied")
    await eventually(lambda: drained(js, bus), timeout=90, what="all acknowledged")
    live = await snapshot(pool)
    assert len(live[1]) == len(events) == live[2]  # each event once in timeline and tracking

    result = await rebuild(bus)
    assert result.position == last
    assert await snapshot(pool) == live
    # the indexes a rebuild builds at its end are the migrations' own
    migrated = fresh_schema()
    async with pool.acquire() as conn:
        await migrate(conn, migrated, "projection")
    assert await indexes(pool, "projection") == await indexes(pool, migrated)
    await pool.execute(f"DROP SCHEMA {migrated} CASCADE")

    page = await queries.list_initiatives(pool, status="launched")
    assert page.total == 5 and all(s.stage == "production" for s in page.items)
    assert (await queries.list_initiatives(pool, q="idea 1", limit=3)).total > 0
    p = await queries.portfolio(pool, stale_days=30)
    assert p.total == 45 and p.per_status["killed"] == 10
    assert [c.gate for c in p.conversion] == ["G1", "G2", "G3", "G4"]
    figures = await board_figures.computed(pool, Filters(), 30)  # the read model's aggregates
    assert figures == await reference(pool, Filters(), figures.as_of, 30)
    queue = await queries.review_queue(pool)
    assert len(queue) == 5 and all(i.readiness is not None for i in queue)
    lag = await queries.lag(pool, js, bus.stream)
    assert (lag.events_behind, lag.applied) == (0, last)
    await stack.stop_all()
    await pool.close()
    await nc.close()


async def test_time_travel_between_two_gate_decisions_shows_the_earlier(bus: Settings):
    nc = await nats.connect(bus.nats_url)
    js = nc.jetstream()
    await ensure_stream(js, bus.subjects)
    stack = Stack(bus)
    await stack.start("projection")
    pool = await create_pool(bus.database_url)
    events = [ce for ce in portfolio(9) if ce.subject == "init-00007"]  # launched
    last = await publish(js, bus, events)
    await eventually(lambda: caught_up(pool, last), what="applied")
    # G1 decided on day 4, G2 on day 11 (business time)
    between = await queries.get_initiative(pool, "init-00007", as_of=START.replace(day=8))
    assert between is not None and between.summary.last_decision is not None
    assert (between.summary.last_decision.gate, between.summary.stage) == ("G1", "poc")
    now = await queries.get_initiative(pool, "init-00007")
    assert now is not None and now.summary.status == "launched"
    assert len(await queries.timeline(pool, "init-00007")) == len(events)
    old = await queries.portfolio(pool, stale_days=30, as_of=START.replace(day=8))
    assert old.per_stage["poc"] == 1
    await stack.stop_all()
    await pool.close()
    await nc.close()


async def test_a_repeat_published_again_later_is_applied_once(bus: Settings):
    """A copy past JetStream's dedup window (here: another Nats-Msg-Id) is a second message."""
    nc = await nats.connect(bus.nats_url)
    js = nc.jetstream()
    await ensure_stream(js, bus.subjects)
    stack = Stack(bus)
    await stack.start("projection")
    pool = await create_pool(bus.database_url)
    events = [ce for ce in portfolio(9) if ce.subject == "init-00001"]  # in review at G1
    await publish(js, bus, events)
    for ce in (events[0], events[-1]):
        again = {"Nats-Msg-Id": f"{ce.id}-again"}
        await js.publish(subject(bus, ce), msgspec.json.encode(ce), headers=again)
    last = await publish(js, bus, events[-1:])  # and a repeat JetStream drops itself
    await eventually(lambda: caught_up(pool, last), what="applied")
    assert await queries.wait_for_position(pool, last, timeout=1)
    assert not await queries.wait_for_position(pool, last + 10, timeout=0.1)
    detail = await queries.get_initiative(pool, "init-00001")
    assert detail is not None and detail.summary.status == "in_review"
    assert detail.readiness is not None and detail.readiness.gate == "G1"
    timeline = await queries.timeline(pool, "init-00001")
    assert [msgspec.json.decode(b)["id"] for b in timeline] == [ce.id for ce in events]
    await eventually(lambda: drained(js, bus), what="all acknowledged")
    assert await pool.fetchval("SELECT count(*) FROM projection.processed") == len(events)
    await stack.stop_all()
    await pool.close()
    await nc.close()


async def test_an_interrupted_rebuild_resumes_where_it_stopped_and_still_equals_live(
    bus: Settings,
):
    nc = await nats.connect(bus.nats_url)
    js = nc.jetstream()
    await ensure_stream(js, bus.subjects)
    events = list(portfolio(40, measurements=20))
    stack = Stack(bus)
    await stack.start("projection")
    pool = await create_pool(bus.database_url)
    last = await publish(js, bus, events)
    await eventually(lambda: drained(js, bus), timeout=90, what="all acknowledged")
    live = await snapshot(pool)

    # a rebuild that got as far as half the stream, then died (its connection just closes)
    conn = await connect(bus.database_url)
    fold, start = await rebuild_store.prepare(conn)
    replayer = Replayer(js, conn, fold, bus, every=100, seconds=0)
    await replayer.run(start + 1, last // 2)
    await conn.close()
    resumed_from = await pool.fetchval("SELECT sequence FROM projection_next.position")
    assert 0 < resumed_from <= last // 2

    result = await rebuild(bus)
    assert result.events == last - resumed_from, "the second run started over"
    assert await snapshot(pool) == live
    await stack.stop_all()
    await pool.close()
    await nc.close()
