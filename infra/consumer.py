"""Durable JetStream pull consumers that handle each event exactly once.

The handler's effects and the (consumer, event id) tracking row are written in
ONE transaction, so a redelivered event (after a crash, a lost ack, or the relay
republishing) changes nothing. Raising `Retry` rolls back and asks for the
event again later (the projection does while its tables are switched to a rebuild).

Each statement is a round trip, and under load the round trips are the cost. So a handler
that is one SQL statement (`Statement`) runs with the tracking insert as ONE statement,
without BEGIN and COMMIT: still atomic, still once. And a consumer may say beforehand,
without a transaction, that an event needs no handling at all (`needed`): no tracking row
is written for it, so that check must answer the same, or handling must change nothing
new, whenever the event comes again.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass, replace

import msgspec
import nats.errors
from nats.aio.msg import Msg
from nats.js import JetStreamContext
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy
from nats.js.errors import NotFoundError, ServiceUnavailableError

from events.envelope import CLOUDEVENT_DECODER, CloudEvent
from infra import metrics, tracing
from infra.db import Connection, Pool

log = logging.getLogger(__name__)
# (transaction, event, its JetStream stream sequence): effects go in that transaction
Handler = Callable[[Connection, CloudEvent, int], Awaitable[object]]
# the events already delivered (with their stream sequences) -> for each, False when
# handling it would change nothing: one question for all of them (one query, not one each)
Needed = Callable[[Sequence[tuple[CloudEvent, int]]], Awaitable[Sequence[bool]]]
TRACKED = "tracked"  # what a Statement reads: one row when the event is new
ACK_TOGETHER = 100  # handled messages acknowledged at the latest together
ASK_TOGETHER = 100  # delivered messages whose `needed` is asked in one call, at the most


def tracking_sql(schema: str, consumer: str = "$1", event_id: str = "$2", when: str = "") -> str:
    """Insert the (consumer, event id) tracking row (if `when`); a row only when it is new."""
    return (
        f"INSERT INTO {schema}.processed (consumer, event_id) SELECT {consumer}, {event_id} "
        f"{f'WHERE {when} ' if when else ''}ON CONFLICT DO NOTHING RETURNING true"
    )


@dataclass(frozen=True)
class SelfTracked:
    """A handler that writes the tracking row itself, in one of its own statements (with
    `tracking_sql`): `apply(conn, event, sequence, tracked_by=consumer)` returns False when
    that consumer handled the event before. Each statement is a round trip."""

    apply: Callable[..., Awaitable[bool]]


@dataclass(frozen=True)
class Statement:
    """A handler that is one SQL statement, run with the tracking insert as one statement.

    `sql` (an INSERT, UPDATE or DELETE) must act only when `EXISTS (SELECT FROM tracked)`;
    $1 and $2 are the consumer's name and the event id, `args(event)` gives $3 onwards.
    """

    sql: str
    args: Callable[[CloudEvent], tuple[object, ...]]


class Retry(Exception):
    """Not yet: redeliver this event after `delay` seconds."""

    def __init__(self, reason: str, delay: float = 0.2) -> None:
        super().__init__(reason)
        self.delay = delay


class Consumer:
    def __init__(
        self,
        js: JetStreamContext,
        pool: Pool,
        *,
        schema: str,
        durable: str,
        stream: str,
        filter_subjects: Sequence[str],
        handler: Handler | Statement | SelfTracked,
        batch: int = 1000,
        ack_wait: float = 10.0,
        needed: Needed | None = None,
    ) -> None:
        self.js = js
        self.pool = pool
        self.durable = durable
        self.stream = stream
        self.filter_subjects = list(filter_subjects)
        self.handler = handler
        self.needed = needed
        self.batch = batch
        self.ack_wait = ack_wait  # what a crashed process held comes back after this
        self.handled = 0
        self._track_sql = tracking_sql(schema)
        if isinstance(handler, Statement):
            self._track_sql = (
                f"WITH {TRACKED} AS ({self._track_sql}), effect AS ({handler.sql})"
                f" SELECT EXISTS (SELECT FROM {TRACKED})"
            )

    async def subscribe(self, arrived: asyncio.Queue[Msg]) -> JetStreamContext.PushSubscription:
        """A durable push consumer delivered to a queue group named like it: messages arrive
        as soon as they are stored (no pull-request expiry races), and replicas of a
        service share them. They are put in `arrived` as they come (at most `batch` wait
        unacknowledged), so the consumer takes all that are there at once."""
        config = ConsumerConfig(
            durable_name=self.durable,
            deliver_group=self.durable,
            ack_policy=AckPolicy.EXPLICIT,
            deliver_policy=DeliverPolicy.ALL,
            ack_wait=self.ack_wait,
            max_deliver=-1,
            max_ack_pending=self.batch,
        )
        await self._update_ack_wait()

        async def deliver(msg: Msg) -> None:
            arrived.put_nowait(msg)

        # one filter subject works on every server (a list needs nats-server 2.10+)
        return await self.js.subscribe(
            self.filter_subjects[0], queue=self.durable, durable=self.durable,
            stream=self.stream, cb=deliver, manual_ack=True, config=config,
        )  # fmt: skip

    async def _update_ack_wait(self) -> None:
        """An existing durable keeps its config when subscribed to: bring its ack wait to
        ours (an updatable field), so an upgrade gets the new takeover time."""
        try:
            info = await self.js.consumer_info(self.stream, self.durable)
        except NotFoundError:
            return
        if info.config.ack_wait != self.ack_wait:
            await self.js.add_consumer(self.stream, replace(info.config, ack_wait=self.ack_wait))

    async def run(self, stop: asyncio.Event) -> None:
        arrived: asyncio.Queue[Msg] = asyncio.Queue()
        sub = await self.subscribe(arrived)
        handled: list[Msg] = []  # acknowledged together once nothing more waits
        try:
            while not stop.is_set():
                try:
                    first = await asyncio.wait_for(arrived.get(), 0.5)
                except TimeoutError:
                    continue
                msgs = [first]
                while len(msgs) < ASK_TOGETHER and not arrived.empty():
                    msgs.append(arrived.get_nowait())
                handled += await self.handle_all(msgs)
                if arrived.empty() or len(handled) >= ACK_TOGETHER:
                    await acknowledge(handled)
        finally:
            with contextlib.suppress(Exception):  # unacknowledged: delivered again, a repeat
                await acknowledge(handled)
            await sub.unsubscribe()

    async def handle_all(self, msgs: Sequence[Msg]) -> list[Msg]:
        """Handle messages in order; returns those done and to be acknowledged (the caller
        does, see `acknowledge`). Those to see again later are refused (nak) here."""
        decoded: list[tuple[Msg, CloudEvent]] = []
        for msg in msgs:
            try:
                decoded.append((msg, CLOUDEVENT_DECODER.decode(msg.data)))
            except msgspec.DecodeError as exc:
                log.error("%s: dropping undecodable message on %s: %s",
                          self.durable, msg.subject, exc)  # fmt: skip
                await msg.term()
        try:
            needed = await self._needed(decoded)
        except Exception as exc:  # not yet (Retry), or the database hiccuped: all again later
            if not isinstance(exc, Retry):
                log.exception("%s: could not tell what to handle; will retry", self.durable)
            for msg, _ in decoded:
                await msg.nak(delay=exc.delay if isinstance(exc, Retry) else 1)
            return []
        return [msg for (msg, event), n in zip(decoded, needed, strict=True)
                if await self.handle(msg, event, n)]  # fmt: skip

    async def _needed(self, decoded: Sequence[tuple[Msg, CloudEvent]]) -> Sequence[bool]:
        if self.needed is None or not decoded:
            return [True] * len(decoded)
        return await self.needed([(e, m.metadata.sequence.stream) for m, e in decoded])

    async def handle(self, msg: Msg, event: CloudEvent, needed: bool = True) -> bool:
        """Handle one decoded message: True when it is done (skipped when not `needed`)."""
        # tracing: continue the relay's publish (header), else the recording command (event)
        parent = (msg.headers or {}).get(tracing.TRACEPARENT) or event.traceparent
        attributes = {
            "messaging.consumer.group.name": self.durable,
            "messaging.message.id": event.id,
        }
        try:
            with tracing.continued(f"process {msg.subject}", "consumer", parent, attributes):
                outcome = await self.process(event, msg.metadata.sequence.stream, needed)
        except Retry as retry:
            await msg.nak(delay=retry.delay)
            return False
        except Exception:
            log.exception("%s: failed on event %s; will retry", self.durable, event.id)
            metrics.CONSUMED.labels(self.durable, "failed").inc()
            await msg.nak(delay=1)
            return False
        metrics.CONSUMED.labels(self.durable, outcome).inc()
        if outcome == "applied":
            delay = metrics.since(msg.metadata.timestamp)
            metrics.CONSUMER_DELAY.labels(self.durable).observe(delay)
        return True

    async def process(self, event: CloudEvent, sequence: int, needed: bool | None = None) -> str:
        """What became of the event: applied, repeat (handled before) or skipped (not needed,
        as told or, without that, as `needed` answers for it alone)."""
        if needed is None:
            needed = self.needed is None or (await self.needed([(event, sequence)]))[0]
        if not needed:
            return "skipped"
        return "applied" if await self.apply(event, sequence) else "repeat"

    async def apply(self, event: CloudEvent, sequence: int = 0) -> bool:
        """Track and handle in one transaction; False when it was handled before."""
        if isinstance(self.handler, Statement):
            args = self.handler.args(event)
            if not await self.pool.fetchval(self._track_sql, self.durable, event.id, *args):
                return False
        elif isinstance(self.handler, SelfTracked):
            async with self.pool.acquire() as conn, conn.transaction():
                if not await self.handler.apply(conn, event, sequence, tracked_by=self.durable):
                    return False
        else:
            async with self.pool.acquire() as conn, conn.transaction():
                if not await conn.fetchval(self._track_sql, self.durable, event.id):
                    return False
                await self.handler(conn, event, sequence)
        self.handled += 1
        return True


async def acknowledge(handled: list[Msg]) -> None:
    """Ack the handled messages, emptying the list. The acks are queued back to back, without
    a wait between them, so nats-py sends them in one write: a write per ack was most of a
    consumer's CPU for each event. (A consumer with one message in flight, the projection,
    acks each at once: nothing more is delivered until it does.)"""
    for msg in handled:
        await msg.ack()
    handled.clear()


async def replay(
    js: JetStreamContext, stream: str, subject: str, *, start: int, end: int, batch: int = 2000
) -> AsyncIterator[list[tuple[int, bytes]]]:
    """Read (sequence, data) from `start` to `end` in big batches, with an ephemeral consumer.

    For rebuilding read models: nothing is acknowledged and nothing durable is left behind.
    """
    if start > end:
        return
    config = ConsumerConfig(
        deliver_policy=DeliverPolicy.BY_START_SEQUENCE, opt_start_seq=start,
        ack_policy=AckPolicy.NONE, inactive_threshold=60,
    )  # fmt: skip
    sub = await js.pull_subscribe(subject, stream=stream, config=config)
    # the next batch is fetched while the caller folds this one (never past `end`)
    fetching = asyncio.ensure_future(sub.fetch(batch, timeout=2))
    try:
        last, pending = start - 1, 1
        while last < end and pending:
            try:
                msgs = await fetching
            except nats.errors.TimeoutError:
                fetching = asyncio.ensure_future(sub.fetch(batch, timeout=2))
                continue
            except ServiceUnavailableError:  # a cluster's new consumer has no leader yet
                await asyncio.sleep(0.5)
                fetching = asyncio.ensure_future(sub.fetch(batch, timeout=2))
                continue
            chunk = [(m.metadata.sequence.stream, m.data) for m in msgs]
            last, pending = chunk[-1][0], msgs[-1].metadata.num_pending
            if last < end and pending:
                fetching = asyncio.ensure_future(sub.fetch(batch, timeout=2))
            yield [c for c in chunk if c[0] <= end]
    finally:
        fetching.cancel()
        await asyncio.wait([fetching])  # raises nothing of the fetch's own
        await sub.unsubscribe()
