"""The outbox relay as a real process against real PostgreSQL and NATS."""

from __future__ import annotations

import asyncio
import signal
import sys

import nats

from infra.db import create_pool
from infra.eventstore import EventStore
from infra.migrations import migrate
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
