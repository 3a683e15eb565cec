"""Durable consumers: a redelivered event changes the consumer's state once."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime

import msgspec
import nats

from events.envelope import CloudEvent
from infra.consumer import Consumer
from infra.db import Connection, create_pool
from infra.migrations import migrate
from infra.settings import Settings
from tests.conftest import fresh_schema
from tests.integration.bus import eventually, own_bus


async def test_the_same_event_delivered_twice_changes_state_once(settings: Settings):
    bus = own_bus(settings)
    pool = await create_pool(bus.database_url)
    schema = fresh_schema()
    async with pool.acquire() as conn:
        await migrate(conn, schema, "eventstore")
        await conn.execute(f"CREATE TABLE {schema}.counter (n int NOT NULL)")
        await conn.execute(f"INSERT INTO {schema}.counter VALUES (0)")

    async def count(conn: Connection, event: CloudEvent, sequence: int) -> None:
        await conn.execute(f"UPDATE {schema}.counter SET n = n + 1")

    nc = await nats.connect(bus.nats_url)
    js = nc.jetstream()
    await js.add_stream(name=bus.stream, subjects=[f"{bus.subject_root}.>"])
    consumer = Consumer(
        js,
        pool,
        schema=schema,
        durable="counter",
        stream=bus.stream,
        filter_subjects=[f"{bus.subject_root}.events.>"],
        handler=count,
    )
    event = CloudEvent(
        specversion="1.0",
        id=str(uuid.uuid4()),
        source="/tollgate/ideation",
        type="io.tollgate.ideation.test_happened.v1",
        subject="i1",
        time=datetime.now(UTC),
        data=msgspec.Raw(b"{}"),
    )
    body = msgspec.json.encode(event)
    subject = f"{bus.subject_root}.events.ideation.test_happened.i1"
    # two messages with one event id, as after a relay crash outside the dedup window
    for _ in range(2):
        await js.publish(subject, body, headers={"Nats-Msg-Id": str(uuid.uuid4())})
    stop = asyncio.Event()
    task = asyncio.create_task(consumer.run(stop))

    async def both_seen() -> bool:
        try:
            info = await js.consumer_info(bus.stream, "counter")
        except nats.js.errors.NotFoundError:
            return False
        return info.ack_floor.stream_seq == 2

    await eventually(both_seen, what="both deliveries acknowledged")
    stop.set()
    await task

    assert await pool.fetchval(f"SELECT n FROM {schema}.counter") == 1
    assert consumer.handled == 1
    await js.delete_stream(bus.stream)
    await nc.close()
    await pool.close()
