"""The backbone's figures: append, read-all and relay, each beside its raw baseline
(asyncpg, nats-py) measured in the same run on the same database and broker."""

from __future__ import annotations

import asyncio
import time
import uuid

import msgspec
import nats

from infra.bus import Publisher, ensure_stream, to_cloudevent
from infra.db import Pool
from infra.eventstore import Checkpoint, EventStore
from infra.outbox import Relay
from infra.settings import Settings
from tests.integration.test_eventstore import new_events

RAW_INSERT = (
    "INSERT INTO {schema}.raw (stream_id, version, event_id, type, occurred_at, data, "
    "metadata) VALUES ($1, $2, $3, $4, $5, convert_from($6, 'UTF8')::json, "
    "convert_from($7, 'UTF8')::json)"
)
RAW_READ = (
    "SELECT position, tx_id::text::bigint AS tx_id, stream_id, version, event_id, type, "
    "occurred_at, recorded_at, data, metadata FROM {schema}.events "
    "WHERE (tx_id, position) > ($1::text::xid8, $2) ORDER BY events.tx_id, events.position "
    "LIMIT $3"
)  # the table's columns: `ORDER BY tx_id` would sort by the bigint alias, not use the index
IN_FLIGHT = 500


async def append_rate(store: EventStore, writers: int, commands: int) -> float:
    """Events/s of `writers` concurrent writers, each appending `commands` new streams of 3."""

    async def writer(w: int) -> None:
        for i in range(commands):
            await store.append(f"{w}-{i}-{uuid.uuid4().hex[:6]}", new_events(3), 0)

    start = time.perf_counter()
    await asyncio.gather(*(writer(w) for w in range(writers)))
    return writers * commands * 3 / (time.perf_counter() - start)


async def raw_append_rate(pool: Pool, schema: str, writers: int, commands: int) -> float:
    """The same rows with plain INSERTs, one transaction per command."""
    sql = RAW_INSERT.format(schema=schema)

    async def writer(w: int) -> None:
        async with pool.acquire() as conn:
            for i in range(commands):
                stream = f"{w}-{i}-{uuid.uuid4().hex[:6]}"
                async with conn.transaction():
                    for v, e in enumerate(new_events(3), 1):
                        await conn.execute(
                            sql, stream, v, e.event_id, e.type, e.occurred_at, e.data, e.metadata
                        )

    start = time.perf_counter()
    await asyncio.gather(*(writer(w) for w in range(writers)))
    return writers * commands * 3 / (time.perf_counter() - start)


async def fill(store: EventStore, events: int) -> None:
    """Top the store up to `events`, 1,000 to a stream."""
    have = int(await store.pool.fetchval(f"SELECT count(*) FROM {store.schema}.events"))
    while have < events:
        n = min(1000, events - have)
        await store.append(f"fill-{uuid.uuid4().hex[:8]}", new_events(n), 0)
        have += n


async def read_all_rate(store: EventStore) -> tuple[float, int]:
    """Events/s reading the whole global order into RecordedEvents, 5,000 at a time."""
    start = time.perf_counter()
    checkpoint, read = Checkpoint(), 0
    while batch := await store.read_all(checkpoint, limit=5000):
        read += len(batch)
        checkpoint = Checkpoint(batch[-1].tx_id, batch[-1].position)
    return read / (time.perf_counter() - start), read


async def raw_read_rate(pool: Pool, schema: str) -> float:
    """Rows/s of the same ordered xid8 read as asyncpg Records, without the horizon."""
    sql = RAW_READ.format(schema=schema)
    start = time.perf_counter()
    tx, pos, read = 0, 0, 0
    while rows := await pool.fetch(sql, str(tx), pos, 5000):
        read += len(rows)
        tx, pos = rows[-1]["tx_id"], rows[-1]["position"]
    return read / (time.perf_counter() - start)


async def relay_rate(bus: Settings, store: EventStore) -> tuple[float, float, int]:
    """The relay over every event of the store, then nats-py publishing the same bodies with
    IN_FLIGHT requests in flight to a second stream; events/s of each."""
    nc = await nats.connect(bus.nats_url)
    js = nc.jetstream()
    await ensure_stream(js, bus.subjects)
    relay = Relay(bus.database_url, store, Publisher(nc, bus.subjects), stages=["ideation"],
                  batch=1000)  # fmt: skip
    start = time.perf_counter()
    cp, relayed, count = Checkpoint(), 0, 1
    while count:
        cp, count, _ = await relay.relay_batch(cp)
        relayed += count
    ours = relayed / (time.perf_counter() - start)
    raw = await raw_publish_rate(js, store, bus)
    await js.delete_stream(bus.stream)
    await nc.close()
    return ours, raw, relayed


async def raw_publish_rate(js: nats.js.JetStreamContext, store: EventStore, bus: Settings) -> float:
    events = await store.read_all(Checkpoint(), limit=1_000_000)
    bodies = [msgspec.json.encode(to_cloudevent(e)) for e in events]
    await js.purge_stream(bus.stream)
    subject = bus.subjects.event("ideation", "raw", "bench")
    start = time.perf_counter()
    for i in range(0, len(bodies), IN_FLIGHT):
        await asyncio.gather(*(
            js.publish(subject, b, headers={"Nats-Msg-Id": f"raw-{i + n}"})
            for n, b in enumerate(bodies[i : i + IN_FLIGHT])
        ))  # fmt: skip
    return len(bodies) / (time.perf_counter() - start)
