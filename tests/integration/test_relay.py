"""The outbox relay as a real process against real PostgreSQL and NATS."""

from __future__ import annotations

import asyncio
import signal
import sys

import nats

from infra.bus import Publisher, ensure_stream
from infra.db import create_pool
from infra.eventstore import EventStore
from infra.migrations import migrate
from infra.outbox import Relay
from infra.settings import Settings
from tests.conftest import fresh_schema
from tests.integration.bus import eventually, own_bus
from tests.integration.test_eventstore import new_events


async def start_relay(settings: Settings, schema: str, batch: int) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "tests.integration.relay_process",
        settings.database_url,
        settings.nats_url,
        schema,
        settings.stream,
        settings.subject_root,
        str(batch),
    )


async def test_a_relay_killed_mid_stream_loses_nothing_and_duplicates_nothing(settings: Settings):
    bus = own_bus(settings)
    pool = await create_pool(bus.database_url)
    schema = fresh_schema()
    async with pool.acquire() as conn:
        await migrate(conn, schema, "eventstore")
    store = EventStore(pool, schema)
    appended = []
    for i in range(400):
        events = new_events(5)
        await store.append(f"init-{i}", events, 0)
        appended.extend(str(e.event_id) for e in events)
    nc = await nats.connect(bus.nats_url)
    js = nc.jetstream()

    async def stream_count() -> int:
        try:
            return int((await js.stream_info(bus.stream)).state.messages)
        except nats.js.errors.NotFoundError:
            return 0

    relay = await start_relay(bus, schema, batch=50)
    await eventually(lambda: _above(stream_count, 200), what="the relay to publish 200 events")
    relay.send_signal(signal.SIGKILL)
    await relay.wait()
    killed_at = await stream_count()
    assert 0 < killed_at < len(appended), "the kill did not land mid-stream"

    relay = await start_relay(bus, schema, batch=50)
    await eventually(lambda: _equals(stream_count, len(appended)), what="all events")
    more = new_events(3)
    await store.append("late", more, 0)  # woken by NOTIFY, not only by polling
    appended.extend(str(e.event_id) for e in more)
    await eventually(lambda: _equals(stream_count, len(appended)), what="the late events")
    relay.terminate()
    await relay.wait()

    sub = await js.pull_subscribe(f"{bus.subject_root}.events.>", stream=bus.stream)
    ids: list[str] = []
    while len(ids) < len(appended):
        for msg in await sub.fetch(500, timeout=2):
            ids.append(msg.headers["Nats-Msg-Id"])
            await msg.ack()
    assert sorted(ids) == sorted(appended), "missing or duplicated events on the stream"
    await js.delete_stream(bus.stream)
    await nc.close()
    await pool.close()


async def _above(count, n: int) -> bool:
    return await count() > n


async def _equals(count, n: int) -> bool:
    return await count() == n


async def test_a_relay_back_after_an_outage_longer_than_the_dedup_window_publishes_nothing_twice(
    settings: Settings,
):
    """The relay dies after its PubAcks but before its checkpoint (simulated by deleting the
    checkpoint) and stays away longer than JetStream's dedup window: on start it resumes
    after the last message already on the stream."""
    bus = own_bus(settings)
    pool = await create_pool(bus.database_url)
    schema = fresh_schema()
    async with pool.acquire() as conn:
        await migrate(conn, schema, "eventstore")
    store = EventStore(pool, schema)
    nc = await nats.connect(bus.nats_url)
    js = nc.jetstream()
    await ensure_stream(js, bus.subjects, duplicate_window=0.5)
    appended = []
    for i in range(20):
        events = new_events(2)
        await store.append(f"init-{i}", events, 0)
        appended.extend(str(e.event_id) for e in events)

    async def stream_count() -> int:
        return int((await js.stream_info(bus.stream)).state.messages)

    async def run_relay_until(count: int) -> None:
        stop = asyncio.Event()
        relay = Relay(bus.database_url, store, Publisher(nc, bus.subjects),
                      stages=["ideation"], batch=7)  # fmt: skip
        task = asyncio.create_task(relay.run(stop))
        await eventually(lambda: _equals(stream_count, count), what=f"{count} messages")
        stop.set()
        await task

    await run_relay_until(len(appended))
    await pool.execute(f"DELETE FROM {schema}.checkpoints")  # the lost checkpoint
    await asyncio.sleep(1.0)  # time itself is what this waits for: past the dedup window
    more = new_events(3)
    await store.append("late", more, 0)
    appended.extend(str(e.event_id) for e in more)
    await run_relay_until(len(appended))

    sub = await js.pull_subscribe(f"{bus.subject_root}.events.>", stream=bus.stream)
    ids = [m.headers["Nats-Msg-Id"] for m in await sub.fetch(100, timeout=2)]
    assert sorted(ids) == sorted(appended), "missing or duplicated events on the stream"
    await js.delete_stream(bus.stream)
    await nc.close()
    await pool.close()
