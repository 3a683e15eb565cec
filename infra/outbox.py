"""The outbox relay: the events table is the outbox, and the relay its only publisher.

One relay per service schema is active at a time (a lease: a session advisory lock on a
dedicated connection, infra/lease.py); the others stand by and one takes over within the
lease's poll interval when the holder dies. It reads the gap-free global order from
its checkpoint, publishes each event to JetStream with Nats-Msg-Id = event id, and moves
the checkpoint (with the JetStream sequence reached, NOTIFYed to the command path) only
after the PubAcks. A relay killed between a PubAck and its checkpoint would republish that
batch; on start it therefore resumes after the last message already on its stages'
subjects, so no outage, however long, puts an event on the stream twice. NOTIFY wakes it;
polling is the fallback.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Sequence

from infra import metrics
from infra.bus import Publisher
from infra.db import DATABASE_ERRORS
from infra.eventstore import Checkpoint, EventStore
from infra.lease import Lease

log = logging.getLogger(__name__)
CHECKPOINT = "outbox-relay"
KEEP_KEYS_DAYS = 7  # how long a stage keeps idempotency keys (the API keeps its own 24 h)
PURGE_EVERY = 3600.0
HELD_BACK_PAUSE = 0.001  # seconds, doubled while events wait below the horizon


class Relay:
    def __init__(
        self,
        dsn: str,
        store: EventStore,
        publisher: Publisher,
        *,
        stages: Sequence[str],
        batch: int = 500,
        poll_interval: float = 1.0,
        lease_poll: float = 0.5,
    ) -> None:
        self.dsn = dsn
        self.store = store
        self.publisher = publisher
        self.stages = tuple(stages)
        self.batch = batch
        self.poll_interval = poll_interval
        self.lease_poll = lease_poll  # a standby's takeover time after the holder died
        self.published = 0

    async def run(self, stop: asyncio.Event) -> None:
        """Relay whenever this process holds the schema's lease, until stopped."""
        lease = Lease(self.dsn, f"relay:{self.store.schema}", poll=self.lease_poll)
        await lease.run(stop, lambda until: self.relay(lease, until))

    async def relay(self, lease: Lease, until: asyncio.Event) -> None:
        """Publish while holding the lease; from the resume point each time it is taken."""
        wake = asyncio.Event()
        try:
            await lease.connection.add_listener(self.store.channel, lambda *_: wake.set())
        except DATABASE_ERRORS as exc:  # the lease's connection died at once: take it again
            log.warning("relay %s: %r; taking the lease again", self.store.schema, exc)
            return
        self.store.relaying_here(wake.set)  # appends made here wake it without a NOTIFY
        try:
            await self._relay_until(until, wake)
        finally:
            self.store.relaying_here(None)

    async def _relay_until(self, until: asyncio.Event, wake: asyncio.Event) -> None:
        checkpoint: Checkpoint | None = None
        purged, pause = 0.0, HELD_BACK_PAUSE
        while not until.is_set():
            wake.clear()
            count, more = 0, None
            try:
                checkpoint = checkpoint or await self.resume_point()
                checkpoint, count, more = await self.relay_batch(checkpoint)
                if time.monotonic() - purged > PURGE_EVERY:
                    await self.store.forget_replies(KEEP_KEYS_DAYS)
                    purged = time.monotonic()
            except Exception as exc:  # the broker or database hiccuped: try again soon
                log.warning("relay %s: %r; retrying", self.store.schema, exc)
            if count < self.batch:
                # an event committed while an older transaction of the database is still open
                # waits below the horizon, and that transaction's end NOTIFYs nothing when it
                # wrote no event (a read model, a lease): look again soon, backing off. The
                # checkpoint's statement tells (`more`); without one, ask.
                if more is None:
                    more = checkpoint is not None and await self._held_back(checkpoint)
                pause = min(pause * 2, self.poll_interval) if more else HELD_BACK_PAUSE
                await _wait_any(until, wake, pause if more else self.poll_interval)

    async def _held_back(self, checkpoint: Checkpoint) -> bool:
        try:
            return await self.store.has_after(checkpoint)
        except Exception:  # the database hiccuped: the poll interval will do
            return False

    async def resume_point(self) -> Checkpoint:
        """The saved checkpoint, or the last event already on the stream if that is later."""
        saved = await self.store.load_checkpoint(CHECKPOINT)
        last_ids = [await self.publisher.last_event_id(stage) for stage in self.stages]
        on_stream = await self.store.position_of([i for i in last_ids if i is not None])
        if on_stream is None or saved.covers(on_stream.tx_id, on_stream.position):
            return saved
        log.warning("relay %s: resuming after the last event on the stream", self.store.schema)
        return Checkpoint(on_stream.tx_id, on_stream.position, saved.stream_seq)

    async def relay_batch(self, checkpoint: Checkpoint) -> tuple[Checkpoint, int, bool | None]:
        """Publish the next batch: the checkpoint reached, how many were published, and
        whether more events are stored after it (None when no checkpoint was saved)."""
        events = await self.store.read_all(checkpoint, self.batch)
        metrics.relay_read(self.store.schema, events)
        if not events:
            return checkpoint, 0, None
        sequences = await self.publisher.publish_all(events)
        metrics.relay_published(self.store.schema, events[: len(sequences)])
        last = events[len(sequences) - 1]  # only as far as the PubAcks go
        checkpoint = Checkpoint(last.tx_id, last.position, sequences[-1])
        more = await self.store.save_checkpoint(CHECKPOINT, checkpoint)
        self.published += len(sequences)
        return checkpoint, len(sequences), more


async def _wait_any(stop: asyncio.Event, wake: asyncio.Event, seconds: float) -> None:
    waiters = [asyncio.ensure_future(stop.wait()), asyncio.ensure_future(wake.wait())]
    try:
        await asyncio.wait(waiters, timeout=seconds, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for w in waiters:
            w.cancel()
