"""Event store, read-all and relay throughput against a raw INSERT baseline (make bench)."""

from __future__ import annotations

import asyncio
import time
import uuid

import nats

from infra.bus import Publisher, ensure_stream
from infra.db import Pool, create_pool
from infra.eventstore import Checkpoint, EventStore
from infra.migrations import migrate
from infra.outbox import Relay
from infra.settings import Settings
from tests.conftest import fresh_schema
from tests.integration.bus import own_bus
from tests.integration.test_eventstore import new_events

COMMANDS_PER_WRITER = {1: 1500, 8: 400}


async def _append_rate(store: EventStore, writers: int) -> float:
    n = COMMANDS_PER_WRITER[writers]

    async def writer(w: int) -> None:
        for i in range(n):
            await store.append(f"{w}-{i}-{uuid.uuid4().hex[:6]}", new_events(3), 0)

    start = time.perf_counter()
    await asyncio.gather(*(writer(w) for w in range(writers)))
    return writers * n * 3 / (time.perf_counter() - start)


async def _raw_rate(pool: Pool, schema: str, writers: int) -> float:
    """The same rows with plain INSERTs, one transaction per command."""
    n = COMMANDS_PER_WRITER[writers]
    sql = (
        f"INSERT INTO {schema}.raw (stream_id, version, event_id, type, occurred_at, data, "
        "metadata) VALUES ($1, $2, $3, $4, $5, $6, $7)"
    )

    async def writer(w: int) -> None:
        async with pool.acquire() as conn:
            for i in range(n):
                stream = f"{w}-{i}-{uuid.uuid4().hex[:6]}"
                async with conn.transaction():
                    for v, e in enumerate(new_events(3), 1):
                        await conn.execute(
                            sql, stream, v, e.event_id, e.type, e.occurred_at, e.data, e.metadata
                        )

    start = time.perf_counter()
    await asyncio.gather(*(writer(w) for w in range(writers)))
    return writers * n * 3 / (time.perf_counter() - start)


async def test_backbone_throughput(settings: Settings):
    pool = await create_pool(settings.database_url, max_size=10)
    schema = fresh_schema()
    async with pool.acquire() as conn:
        await migrate(conn, schema, "eventstore")
        await conn.execute(
            f"CREATE TABLE {schema}.raw "
            f"(LIKE {schema}.events INCLUDING DEFAULTS INCLUDING IDENTITY)"
        )
    store = EventStore(pool, schema)
    print()
    for writers in (1, 8):
        ours = await _append_rate(store, writers)
        raw = await _raw_rate(pool, schema, writers)
        print(
            f"append, {writers} writer(s), 3 events/command: {ours:,.0f} events/s; "
            f"raw INSERT baseline {raw:,.0f} events/s; ratio {ours / raw:.2f}"
        )
    total = await pool.fetchval(f"SELECT count(*) FROM {schema}.events")
    start = time.perf_counter()
    checkpoint, read = Checkpoint(), 0
    while batch := await store.read_all(checkpoint, limit=5000):
        read += len(batch)
        checkpoint = Checkpoint(batch[-1].tx_id, batch[-1].position)
    print(f"read-all: {read / (time.perf_counter() - start):,.0f} events/s over {read:,} events")
    assert read == total

    bus = own_bus(settings)
    nc = await nats.connect(bus.nats_url)
    js = nc.jetstream()
    await ensure_stream(js, bus.subjects)
    publisher = Publisher(js, bus.subjects)
    relay = Relay(bus.database_url, store, publisher, stages=["ideation"], batch=1000)
    start = time.perf_counter()
    cp, relayed, count = Checkpoint(), 0, 1
    while count:
        cp, count = await relay.relay_batch(cp)
        relayed += count
    print(
        f"relay to JetStream: {relayed / (time.perf_counter() - start):,.0f} events/s "
        f"over {relayed:,} events"
    )
    assert relayed == total
    await js.delete_stream(bus.stream)
    await nc.close()
    await pool.close()
