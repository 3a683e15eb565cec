"""The event store against a real PostgreSQL: concurrency and gap-free global order."""

from __future__ import annotations

import asyncio
import json
import random
import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from typing import Any

import pytest_asyncio

from infra.db import Pool, connect, create_pool
from infra.eventstore import (
    Appended,
    Checkpoint,
    ConcurrencyError,
    EventStore,
    NewEvent,
    Snapshot,
)
from infra.migrations import migrate
from tests.conftest import fresh_schema


def new_events(n: int) -> list[NewEvent]:
    return [
        NewEvent(
            event_id=uuid.uuid4(),
            type="io.tollgate.ideation.test_happened.v1",
            occurred_at=datetime.now(UTC),
            data=b'{"n": %d}' % i,
            metadata=b'{"actor": "t"}',
        )
        for i in range(n)
    ]


@pytest_asyncio.fixture
async def store(database_url: str) -> AsyncIterator[EventStore]:
    pool: Pool = await create_pool(database_url, max_size=25)
    schema = fresh_schema()
    async with pool.acquire() as conn:
        await migrate(conn, schema, "eventstore")
    yield EventStore(pool, schema)
    await pool.close()


async def test_of_twenty_writers_racing_on_one_version_exactly_one_wins(store: EventStore):
    await store.append("s", new_events(1), 0)

    async def write() -> str:
        try:
            await store.append("s", new_events(3), 1)
        except ConcurrencyError as exc:
            assert exc.current_version == 4
            return "conflict"
        return "won"

    outcomes = await asyncio.gather(*(write() for _ in range(20)))

    assert outcomes.count("won") == 1
    assert outcomes.count("conflict") == 19
    assert [e.version for e in await store.read_stream("s")] == [1, 2, 3, 4]


async def test_appends_grouped_in_one_commit_each_get_their_own_answer(store: EventStore):
    """Concurrent appends share a statement and a commit; each still gets its own positions,
    and a conflict within a group fails only the append that lost."""
    alone = [await store.append(f"alone-{i}", new_events(2), 0) for i in range(2)]
    together = await asyncio.gather(*(store.append(f"t-{i}", new_events(2), 0) for i in range(8)))
    assert len({a.tx_id for a in alone}) == 2
    assert len({a.tx_id for a in together}) < 8, "no appends were grouped into one commit"

    await store.append("s", new_events(1), 0)
    fresh = {f"fresh-{i}": new_events(3) for i in range(20)}  # grouped with the racers below

    async def racer() -> object:
        try:
            return await store.append("s", new_events(3), 1)
        except ConcurrencyError as exc:
            return exc.current_version

    answers = await asyncio.gather(
        *(store.append(stream, events, 0) for stream, events in fresh.items()),
        *(racer() for _ in range(10)),
    )

    rows = await store.pool.fetch(
        f"SELECT event_id, position, tx_id::text::bigint AS tx_id, stream_id, version"
        f" FROM {store.schema}.events"
    )
    stored = {r["event_id"]: r for r in rows}
    for (stream, events), appended in zip(fresh.items(), answers[:20], strict=True):
        assert {stored[e.event_id]["stream_id"] for e in events} == {stream}
        assert appended.positions == [stored[e.event_id]["position"] for e in events]
        assert {stored[e.event_id]["tx_id"] for e in events} == {appended.tx_id}
        assert [stored[e.event_id]["version"] for e in events] == [1, 2, 3]
    racers = answers[20:]
    assert sum(isinstance(a, Appended) for a in racers) == 1
    assert sorted(a for a in racers if isinstance(a, int)) == [4] * 9
    assert [e.version for e in await store.read_stream("s")] == [1, 2, 3, 4]


async def test_a_stale_version_names_the_current_one(store: EventStore):
    await store.append("s", new_events(2), 0)
    try:
        await store.append("s", new_events(1), 1)
    except ConcurrencyError as exc:
        assert exc.current_version == 2
        assert "version 2" in str(exc)
    else:
        raise AssertionError("a stale expected version was accepted")


async def test_a_reader_of_the_global_order_never_skips_a_late_commit(store: EventStore):
    """8 writers, some holding their transaction open; a reader polls meanwhile."""
    written: list[uuid.UUID] = []
    seen: list[uuid.UUID] = []
    done = asyncio.Event()

    async def writer(w: int) -> None:
        for i in range(15):
            events = new_events(3)
            async with store.pool.acquire() as conn, conn.transaction():
                await store.append(f"w{w}-{i}", events, 0, conn=conn)
                if random.random() < 0.3:
                    await asyncio.sleep(random.uniform(0.01, 0.08))  # commit late
            written.extend(e.event_id for e in events)

    async def reader() -> None:
        checkpoint = Checkpoint()
        while True:
            finished = done.is_set()
            batch = await store.read_all(checkpoint, limit=7)
            seen.extend(e.event_id for e in batch)
            if batch:
                checkpoint = Checkpoint(batch[-1].tx_id, batch[-1].position)
            elif finished:
                return
            else:
                await asyncio.sleep(0.002)

    read = asyncio.create_task(reader())
    await asyncio.gather(*(writer(w) for w in range(8)))
    done.set()
    await read

    assert len(written) == 8 * 15 * 3
    assert len(seen) == len(set(seen)), "an event was read twice"
    assert set(seen) == set(written), "an event was skipped"
    full = [e.event_id for e in await store.read_all(Checkpoint(), limit=10_000)]
    assert seen == full, "the polled order differs from the global order"


async def test_a_writer_in_another_database_does_not_hold_the_read_back(
    store: EventStore, pg_server_url: str
):
    """The horizon is this database's: an open writing transaction elsewhere in the cluster
    (its xid in the read's snapshot) does not keep the events committed after it unread,
    while one of this database does until it ends."""
    elsewhere = await connect(pg_server_url)
    here = await store.pool.acquire()
    try:
        async with elsewhere.transaction():
            await elsewhere.fetchval("SELECT pg_current_xact_id()")  # holds an xid
            await store.append("after-elsewhere", new_events(2), 0)
            assert len(await store.read_all(Checkpoint())) == 2
        read = await store.read_all(Checkpoint())
        last = Checkpoint(read[-1].tx_id, read[-1].position)
        transaction = here.transaction()
        await transaction.start()
        await here.fetchval("SELECT pg_current_xact_id()")  # an open writer of this database
        await store.append("after-here", new_events(3), 0)
        assert await store.read_all(last) == [], "read past a transaction still open here"
        assert await store.has_after(last), "stored, though not yet below the horizon"
        await transaction.rollback()
        assert [e.stream_id for e in await store.read_all(last)] == ["after-here"] * 3
    finally:
        await store.pool.release(here)
        await elsewhere.close()


async def test_a_stream_loads_with_its_snapshot_in_one_read(store: EventStore):
    await store.append("s", new_events(5), 0)
    assert await store.load_stream("s", "state-v1") == (None, await store.read_stream("s"))
    events = await store.read_stream("s")
    snapshot = Snapshot(3, events[2].tx_id, events[2].position, b'{"folded": 3}')
    await store.save_snapshot("s", "state-v1", snapshot)
    loaded, after = await store.load_stream("s", "state-v1")
    assert loaded == snapshot
    assert after == events[3:]
    assert await store.load_stream("s", "state-v2") == (None, events), "another state's shape"
    assert await store.load_stream("none", "state-v1") == (None, [])


async def test_the_relay_statements_read_the_index_even_with_generic_plans(store: EventStore):
    """asyncpg prepares statements, and PostgreSQL may switch a prepared one to a generic
    plan: a bare EXISTS would then scan every event each time the relay asks for more."""
    for n in range(40):
        await store.append(f"s{n}", new_events(50), 0)
    async with store.pool.acquire() as conn:
        await conn.execute(f"ANALYZE {store.schema}.events")
        await conn.execute("SET plan_cache_mode = force_generic_plan")
        for name, sql, args in (
            ("after_check", store._after_sql, "'1', 0"),
            ("read_all", store._read_all_sql, "'1', 0, 500"),
        ):
            await conn.execute(f"PREPARE {name} AS {sql}")
            plan = await conn.fetchval(f"EXPLAIN (FORMAT JSON) EXECUTE {name}({args})")
            await conn.execute(f"DEALLOCATE {name}")
            scans = {(n["Node Type"], n.get("Index Name")) for n in _nodes(json.loads(plan))
                     if n.get("Relation Name") == "events"}  # fmt: skip
            assert scans == {("Index Only Scan", "events_global_order")} or scans == {
                ("Index Scan", "events_global_order")
            }, (name, scans)
        await conn.execute("RESET plan_cache_mode")


def _nodes(plan: object) -> Iterator[dict[str, Any]]:
    """Every node of an EXPLAIN (FORMAT JSON) plan."""
    if isinstance(plan, list):
        for item in plan:
            yield from _nodes(item)
    elif isinstance(plan, dict):
        if "Node Type" in plan:
            yield plan
        for value in plan.values():
            yield from _nodes(value)
