"""How far the outbox relay has published: the command path's source of `position`.

The relay NOTIFYs `{schema}_published` with its new checkpoint after every batch; this
listens (polling the checkpoint as a fallback) and wakes the commands waiting for their
events to reach JetStream. Any replica's relay serves every replica's commands.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from infra.db import connect
from infra.eventstore import Checkpoint, EventStore
from infra.outbox import CHECKPOINT

log = logging.getLogger(__name__)
Waiter = tuple[int, int, asyncio.Future[int]]


class PublishedWatch:
    def __init__(self, dsn: str, store: EventStore, *, wait: float = 2.0) -> None:
        self.dsn = dsn
        self.store = store
        self.wait = wait  # seconds a command waits for its position before answering without
        self.latest = Checkpoint()
        self._waiters: list[Waiter] = []
        self._poll = asyncio.Event()

    async def sequence_after(self, tx_id: int, position: int) -> int | None:
        if self.latest.covers(tx_id, position):
            return self.latest.stream_seq
        future: asyncio.Future[int] = asyncio.get_running_loop().create_future()
        waiter = (tx_id, position, future)
        self._waiters.append(waiter)
        try:
            return await asyncio.wait_for(asyncio.shield(future), self.wait)
        except TimeoutError:
            return None
        finally:
            with contextlib.suppress(ValueError):
                self._waiters.remove(waiter)

    def advance(self, checkpoint: Checkpoint) -> None:
        if checkpoint <= self.latest:
            return
        self.latest = checkpoint
        for tx_id, position, future in self._waiters:
            if not future.done() and checkpoint.covers(tx_id, position):
                future.set_result(checkpoint.stream_seq)

    async def run(self, stop: asyncio.Event) -> None:
        """Listen until stopped; reconnect after a lost connection."""
        while not stop.is_set():
            try:
                await self._listen(stop)
            except Exception as exc:  # the database went away: waiters time out meanwhile
                log.warning("published watch %s: %r; reconnecting", self.store.schema, exc)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), 0.5)

    async def _listen(self, stop: asyncio.Event) -> None:
        conn = await connect(self.dsn)
        try:
            await conn.add_listener(self.store.published_channel, self._on_notify)
            while not stop.is_set():
                self.advance(await self.store.load_checkpoint(CHECKPOINT, conn))
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), 0.5 if self._waiters else 2.0)
        finally:
            with contextlib.suppress(Exception):
                await conn.close()

    def _on_notify(self, *args: object) -> None:
        payload = str(args[-1])
        with contextlib.suppress(ValueError):
            tx_id, position, seq = (int(p) for p in payload.split())
            self.advance(Checkpoint(tx_id, position, seq))
