"""The outbox relay: the events table is the outbox.

One relay per service schema is active at a time (a session advisory lock held on
a dedicated connection); others wait to take over. It reads the gap-free global
order from its checkpoint, publishes each event to JetStream with Nats-Msg-Id =
event id, and advances the checkpoint only after the PubAcks. A relay killed mid
batch republishes that batch on restart; JetStream dedup and the consumers' own
dedup make it exactly-once for readers. NOTIFY wakes it; polling is the fallback.
"""

from __future__ import annotations

import asyncio
import logging

from infra.bus import Publisher
from infra.db import connect
from infra.eventstore import Checkpoint, EventStore

log = logging.getLogger(__name__)
CHECKPOINT = "outbox-relay"


class Relay:
    def __init__(
        self,
        dsn: str,
        store: EventStore,
        publisher: Publisher,
        *,
        batch: int = 500,
        poll_interval: float = 1.0,
    ) -> None:
        self.dsn = dsn
        self.store = store
        self.publisher = publisher
        self.batch = batch
        self.poll_interval = poll_interval
        self.published = 0

    async def run(self, stop: asyncio.Event) -> None:
        conn = await connect(self.dsn)
        wake = asyncio.Event()
        try:
            lock_key = f"relay:{self.store.schema}"
            while not await conn.fetchval("SELECT pg_try_advisory_lock(hashtext($1))", lock_key):
                if await _wait(stop, self.poll_interval):
                    return
            await conn.add_listener(self.store.channel, lambda *_: wake.set())
            checkpoint = await self.store.load_checkpoint(CHECKPOINT)
            while not stop.is_set():
                wake.clear()
                try:
                    checkpoint, count = await self.relay_batch(checkpoint)
                except Exception as exc:  # the broker or database hiccuped: try again soon
                    log.warning("relay %s: %r; retrying", self.store.schema, exc)
                    count = 0
                if count < self.batch:
                    await _wait_any(stop, wake, self.poll_interval)
        finally:
            await conn.close()

    async def relay_batch(self, checkpoint: Checkpoint) -> tuple[Checkpoint, int]:
        events = await self.store.read_all(checkpoint, self.batch)
        if not events:
            return checkpoint, 0
        await self.publisher.publish_all(events)
        last = events[-1]
        checkpoint = Checkpoint(last.tx_id, last.position)
        await self.store.save_checkpoint(CHECKPOINT, checkpoint)
        self.published += len(events)
        return checkpoint, len(events)


async def _wait(stop: asyncio.Event, seconds: float) -> bool:
    try:
        await asyncio.wait_for(stop.wait(), seconds)
    except TimeoutError:
        return False
    return True


async def _wait_any(stop: asyncio.Event, wake: asyncio.Event, seconds: float) -> None:
    waiters = [asyncio.ensure_future(stop.wait()), asyncio.ensure_future(wake.wait())]
    try:
        await asyncio.wait(waiters, timeout=seconds, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for w in waiters:
            w.cancel()
