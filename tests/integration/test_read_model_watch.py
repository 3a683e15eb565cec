"""Reads that ask PostgreSQL nothing (services/projection/watch.py): a kept row is served from
memory only while the process hears what the projection applies, and never after a
notification names it, a rebuild switched the tables, or the LISTEN went down."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator

import msgspec
import pytest
from msgspec.structs import replace

from infra.db import Connection, Pool, connect, create_pool
from infra.migrations import migrate
from services.projection import queries, store, watch
from services.projection.kept_rows import KeptRows
from services.projection.store import SCHEMA, row_record, upsert_sql
from services.projection.views.initiative import Initiative, initial
from tests.integration.test_projection_support import _ideation, envelopes


def renamed(row: Initiative, title: str) -> Initiative:
    return replace(row, summary=replace(row.summary, title=title))


async def until(check: object, seconds: float = 5.0) -> None:
    for _ in range(int(seconds / 0.01)):
        if callable(check) and check():
            return
        await asyncio.sleep(0.01)
    raise AssertionError("timed out")


@pytest.fixture
async def world(database_url: str) -> AsyncIterator[tuple[Connection, Pool, watch.Watch, KeptRows]]:
    conn = await connect(database_url)
    await migrate(conn, SCHEMA, "projection")
    pool = await create_pool(database_url, max_size=2)
    heard, kept, stop = watch.Watch(pool, database_url), KeptRows(), asyncio.Event()
    watch.LISTENERS.append(kept.drop)
    running = asyncio.create_task(heard.run(stop))
    await until(lambda: watch.watching(pool) is heard)
    try:
        yield conn, pool, heard, kept
    finally:
        stop.set()
        await running
        watch.LISTENERS.remove(kept.drop)
        await pool.close()
        await conn.close()


async def test_a_trusted_row_is_served_from_memory_until_a_notification_names_it(world):
    conn, pool, heard, kept = world
    iid, other = f"watch-{uuid.uuid4().hex[:8]}", f"watch-{uuid.uuid4().hex[:8]}"
    first = initial(iid)
    await conn.execute(upsert_sql(SCHEMA), *row_record(first))
    await conn.execute(upsert_sql(SCHEMA), *row_record(initial(other)))
    assert await kept.row(pool, iid) == first
    assert await kept.row(pool, other) == initial(other)

    # written behind the watch's back (no NOTIFY): the kept row is what is served, no query
    await conn.execute(upsert_sql(SCHEMA), *row_record(renamed(first, "Unheard")))
    assert (await kept.row(pool, iid)).summary.title == first.summary.title

    changes = heard.changes
    await watch.tell(pool, heard.position + 5, {iid})  # as the projection's commit does
    await until(lambda: heard.changes > changes)
    assert (await kept.row(pool, iid)).summary.title == "Unheard"
    assert (id(pool), other) in kept.trusted, "rows not named stay trusted"


async def test_the_position_is_heard_and_waiting_for_it_needs_no_query(world):
    conn, pool, heard, _ = world
    stored = await conn.fetchval(f"SELECT sequence FROM {SCHEMA}.position")
    assert await queries.applied_position(pool) == stored == heard.position
    target = heard.position + 3
    waiting = asyncio.create_task(queries.wait_for_position(pool, target, 5))
    await asyncio.sleep(0.05)
    assert not waiting.done()
    await watch.tell(pool, target, {"some-initiative"})
    assert await waiting
    assert await queries.applied_position(pool) == target  # heard: the table says less
    assert not await queries.wait_for_position(pool, target + 1, 0.1)


async def test_a_rebuild_switch_drops_every_kept_row(world):
    conn, pool, heard, kept = world
    iid = f"watch-{uuid.uuid4().hex[:8]}"
    await conn.execute(upsert_sql(SCHEMA), *row_record(initial(iid)))
    await kept.row(pool, iid)
    await conn.execute(upsert_sql(SCHEMA), *row_record(renamed(initial(iid), "Rebuilt")))
    changes = heard.changes
    await watch.everything_changed(conn, heard.position)
    await until(lambda: heard.changes > changes)
    assert (await kept.row(pool, iid)).summary.title == "Rebuilt"


async def test_without_the_listen_every_read_asks_the_database(world):
    conn, pool, heard, kept = world
    iid = f"watch-{uuid.uuid4().hex[:8]}"
    await conn.execute(upsert_sql(SCHEMA), *row_record(initial(iid)))
    await kept.row(pool, iid)
    assert (id(pool), iid) in kept.trusted
    await conn.execute(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
        "WHERE datname = current_database() "
        "AND application_name = 'tollgate listen projection_applied'"
    )
    await until(lambda: watch.watching(pool) is None)
    await conn.execute(upsert_sql(SCHEMA), *row_record(renamed(initial(iid), "Asked")))
    assert (await kept.row(pool, iid)).summary.title == "Asked"
    await until(lambda: watch.watching(pool) is heard)  # it listens again within a second


def test_a_payload_names_the_streams_or_everything():
    assert watch.parse(store.payload(42, {"b", "a"})) == (42, frozenset({"a", "b"}))
    assert watch.parse(watch.payload(7, None)) == (7, None)
    many = {f"initiative-{i:05d}" for i in range(2_000)}  # too many to name in one NOTIFY
    assert watch.parse(watch.payload(9, many)) == (9, None)


async def test_the_projections_own_commit_tells_the_watch(world):
    conn, pool, heard, kept = world
    iid = f"watch-{uuid.uuid4().hex[:8]}"
    await conn.execute(upsert_sql(SCHEMA), *row_record(initial(iid)))
    assert await kept.row(pool, iid) == initial(iid)
    proposed = envelopes(_ideation(iid, 0))[0]
    sequence, changes = heard.position + 1, heard.changes
    async with conn.transaction():
        assert await store.apply_live(conn, proposed, sequence, tracked_by="watch-test")
        await asyncio.sleep(0.1)
        assert heard.changes == changes, "heard before the commit"
    await until(lambda: heard.position == sequence)
    assert (id(pool), iid) not in kept.trusted
    assert (await kept.row(pool, iid)).summary.title == proposed_title(proposed)
    async with conn.transaction():  # the same event again: that consumer handled it before
        assert not await store.apply_live(conn, proposed, sequence, tracked_by="watch-test")


def proposed_title(ce) -> str:
    return msgspec.json.decode(ce.data)["title"]
