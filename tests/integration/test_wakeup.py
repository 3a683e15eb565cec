"""An append that commits on its own NOTIFYs the relay after its commit (infra/wakeup.py):
the listener is woken, and what woke it is already readable."""

from __future__ import annotations

import asyncio

import nats

from infra.bus import Publisher, ensure_stream
from infra.db import connect, create_pool
from infra.eventstore import Checkpoint, EventStore
from infra.migrations import migrate
from infra.outbox import Relay
from infra.settings import Settings
from tests.conftest import fresh_schema
from tests.integration.bus import eventually, own_bus
from tests.integration.test_eventstore import new_events


async def test_an_append_wakes_the_listener_once_its_events_are_readable(database_url: str):
    pool = await create_pool(database_url, max_size=4)
    schema = fresh_schema()
    async with pool.acquire() as conn:
        await migrate(conn, schema, "eventstore")
    store = EventStore(pool, schema)
    listener = await connect(database_url)
    readable: list[int] = []
    woken = asyncio.Event()

    async def on_wake() -> None:
        readable.append(len(await store.read_all(Checkpoint())))
        woken.set()

    await listener.add_listener(store.channel, lambda *_: asyncio.ensure_future(on_wake()))
    for n in range(1, 4):
        woken.clear()
        await store.append(f"s{n}", new_events(2), 0)
        await asyncio.wait_for(woken.wait(), 10)
        assert readable[-1] >= 2 * n

    await listener.close()
    await pool.close()


async def test_the_relay_of_the_appending_process_is_woken_without_a_notify(settings: Settings):
    """While this process's relay holds the lease, an append wakes it directly: published
    long before its poll interval, and nothing NOTIFYed. Once it stops, appends NOTIFY."""
    bus = own_bus(settings)
    pool = await create_pool(bus.database_url, max_size=4)
    schema = fresh_schema()
    async with pool.acquire() as conn:
        await migrate(conn, schema, "eventstore")
    store = EventStore(pool, schema)
    nc = await nats.connect(bus.nats_url)
    await ensure_stream(nc.jetstream(), bus.subjects)
    publisher = Publisher(nc, bus.subjects)
    relay = Relay(bus.database_url, store, publisher, stages=["ideation"], poll_interval=60)
    listener = await connect(bus.database_url)
    notified: list[str] = []
    await listener.add_listener(store.channel, lambda *args: notified.append(args[2]))
    stop = asyncio.Event()
    relaying = asyncio.create_task(relay.run(stop))
    try:
        await eventually(lambda: _true(store._wakeup.local is not None), what="the lease")
        for n in range(1, 4):
            await store.append(f"s{n}", new_events(2), 0)
            await eventually(lambda n=n: _true(relay.published == 2 * n), timeout=10,
                             what="the relay to publish, woken")  # fmt: skip
        await asyncio.sleep(0.2)  # a NOTIFY would have arrived by now
        assert notified == [], "an append NOTIFYed though its own process relays"
        stop.set()
        await relaying
        assert store._wakeup.local is None
        await store.append("after", new_events(1), 0)
        await eventually(lambda: _true(len(notified) == 1), what="the NOTIFY once it stopped")
    finally:
        stop.set()
        await relaying
        await listener.close()
        await nc.jetstream().delete_stream(bus.stream)
        await nc.close()
        await pool.close()


async def _true(value: bool) -> bool:
    return value
