"""An append that commits on its own NOTIFYs the relay after its commit (infra/wakeup.py):
the listener is woken, and what woke it is already readable."""

from __future__ import annotations

import asyncio

from infra.db import connect, create_pool
from infra.eventstore import Checkpoint, EventStore
from infra.migrations import migrate
from tests.conftest import fresh_schema
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
