"""The outbox relay: the events table is the outbox, and the relay its only publisher.

One relay per service schema is active at a time (a lease: a session advisory lock on a
dedicated connection, infra/lease.py); the others stand by and one takes over within the
lease's poll interval when the holder dies. It reads the gap-free global order from
its checkpoint, publishes each event to JetStream with Nats-Msg-Id = event id, and moves
the checkpoint (with the JetStream sequence reached, NOTIFYed to the command path) only
after the PubAcks. A relay killed between a PubAck and its checkpoint would republish that
batch; on start it therefore resumes after the last message already on its stages'
subjects, so no outage, however long, puts an event on the stream twice, and first
publishes any event before that one which the stream did not store. NOTIFY wakes it;
polling is the fallback.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Sequence
from uuid import UUID

from infra import metrics
from infra.bus import Publisher
from infra.db import DATABASE_ERRORS
from infra.eventstore import Checkpoint, EventStore, RecordedEvent
from infra.lease import Lease

log = logging.getLogger(__name__)
CHECKPOINT = "outbox-relay"
KEEP_KEYS_DAYS = 7  # how long a stage keeps idempotency keys (the API keeps its own 24 h)
PURGE_EVERY = 3600.0
GAP_SCAN = 5000  # this relay's messages after its checkpoint it reads back to find gaps
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
        """Where to go on from: the saved checkpoint, or, when events after it are already on
        the stream (a relay died between its PubAcks and its checkpoint, or after a batch
        only partly acknowledged), the latest of them, after publishing any event before it
        that JetStream did not store.

        Publishes are pipelined, so JetStream may have stored event n+1 but not n (refused,
        or lost in a reconnect); a relay that keeps running republishes from n, and after a
        restart this does the same. It publishes only what is missing, not what is already
        there, so a restart after any outage, longer than the dedup window too, puts nothing
        on the stream twice. The stream is read back from the checkpoint's `scan_from`, at
        most a batch or two of this relay's messages before; when there are more than
        GAP_SCAN (the checkpoint was lost, say), the relay goes on after the last one
        unchecked."""
        saved = await self.store.load_checkpoint(CHECKPOINT)
        present: dict[UUID, int] = {}
        for stage in self.stages:
            ids = await self.publisher.ids_after(stage, saved.scan_from, GAP_SCAN)
            if ids is None:
                log.warning("relay %s: too many events to check for gaps", self.store.schema)
                return await self._after_last(saved)
            present.update(ids)
        top = await self.store.position_of(list(present))
        if top is None or saved.covers(top.tx_id, top.position):
            return saved
        log.warning("relay %s: resuming after the last event on the stream", self.store.schema)
        missing: list[RecordedEvent] = []
        point = saved
        while not point.covers(top.tx_id, top.position):
            events = await self.store.read_all(point, self.batch)
            if not events:  # cannot be: `top` is stored and below the horizon
                break
            missing += [e for e in events if top.covers(e.tx_id, e.position)
                        and e.event_id not in present]  # fmt: skip
            point = Checkpoint(events[-1].tx_id, events[-1].position)
        sequences = list(present.values())
        for start in range(0, len(missing), self.batch):
            batch = missing[start : start + self.batch]
            acked = await self.publisher.publish_all(batch)
            if len(acked) < len(batch):  # the relay's loop asks again: what landed is found
                raise RuntimeError(f"{len(batch) - len(acked)} missing events not published")
            sequences += acked
        if missing:
            log.warning("relay %s: published %d events the stream had lost",
                        self.store.schema, len(missing))  # fmt: skip
        # everything up to `top` is on the stream, nothing after it: the next scan starts here
        reached = max(sequences)  # `top` is among them
        checkpoint = Checkpoint(top.tx_id, top.position, reached, reached)
        await self.store.save_checkpoint(CHECKPOINT, checkpoint)  # the next start begins here
        return checkpoint

    async def _after_last(self, saved: Checkpoint) -> Checkpoint:
        """Too much on the stream to read back: after the last message of the stages."""
        last_ids = [await self.publisher.last_event_id(stage) for stage in self.stages]
        on_stream = await self.store.position_of([i for i in last_ids if i is not None])
        if on_stream is None or saved.covers(on_stream.tx_id, on_stream.position):
            return saved
        return Checkpoint(on_stream.tx_id, on_stream.position, saved.stream_seq, saved.scan_from)

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
        reached = max(sequences)  # a repeat's PubAck carries its first copy's sequence
        # A batch only partly acknowledged may have put later events on the stream (below
        # `reached`, a retry's repeats among them): the next start reads back from before
        # them. A whole batch reaches as far as any earlier attempt at it went.
        scan_from = reached if len(sequences) == len(events) else checkpoint.scan_from
        checkpoint = Checkpoint(last.tx_id, last.position, reached, scan_from)
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
