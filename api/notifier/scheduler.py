"""The notifier's clock-driven work: overdue reviews, unacknowledged serious incidents (escalated
to the committee chair past their time limit, incidents.py) and the daily digests.

Each tick reads the time from an injected clock (tests pass their own) and
- sends `flag-overdue-review` (as Tollgate itself, with that time) to the stage service
  holding each review the inbox shows waiting past its service level (events.sla); the
  stage's decider checks it again and raises review_overdue once, escalated to the
  committee chair (TOLLGATE_COMMITTEE_CHAIR);
- from TOLLGATE_DIGEST_HOUR (UTC) on, queues each digest reader's mail of the day: the
  items told to them since their last digest that still wait, once per user and day.
Both are safe to run on several replicas at once.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

import msgspec

from api.notifier import incidents, mail, store
from api.notifier.store import Recipient
from events import sla
from events.base import SYSTEM
from events.gates import FlagOverdueReview
from events.replies import CommandReply
from infra.commands import ServiceUnavailable
from infra.db import Pool
from infra.settings import Settings
from services.projection import inbox_store
from services.projection.views.stages import STAGE_OF_GATE

log = logging.getLogger("tollgate.notifier")
Clock = Callable[[], datetime]
SendCommand = Callable[[str, str, bytes], Awaitable[CommandReply]]  # stage, command, body
_ENCODE = msgspec.json.Encoder()
_WAITING_REVIEWS = (
    "SELECT item FROM projection.inbox WHERE kind = 'review' AND item->>'gate' IS NOT NULL"
    " AND NOT (item->>'overdue')::boolean ORDER BY since"
)


def system_clock() -> datetime:
    return datetime.now(UTC)


class Tick(msgspec.Struct, frozen=True, kw_only=True):
    flagged: int = 0  # reviews raised as overdue
    escalated: int = 0  # incidents escalated to the chair unacknowledged (incidents.py)
    digests: int = 0  # digest mails queued


class Scheduler:
    def __init__(
        self,
        pool: Pool,
        reads: Pool,
        send: SendCommand,
        settings: Settings,
        clock: Clock = system_clock,
    ) -> None:
        self.pool, self.reads, self.send, self.settings = pool, reads, send, settings
        self.clock = clock

    async def run(self, stop: asyncio.Event) -> None:
        every = self.settings.scheduler_seconds
        while every > 0 and not stop.is_set():
            try:
                await self.tick()
            except Exception:
                log.exception("scheduler tick failed; trying again at the next")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), every)
        await stop.wait()

    async def tick(self) -> Tick:
        now = self.clock()
        chair = self.settings.committee_chair or None
        escalated = await incidents.escalate_due(self.reads, self.send, chair, now)
        flagged, digests = await self.flag_overdue(now), await self.digests(now)
        return Tick(flagged=flagged, escalated=escalated, digests=digests)

    async def flag_overdue(self, now: datetime) -> int:
        rows = await self.reads.fetch(_WAITING_REVIEWS)
        flagged = 0
        for item in (inbox_store.ITEM.decode(r["item"]) for r in rows):
            if item.gate is None or not sla.is_overdue(item.gate, item.since, now):
                continue
            chair = self.settings.committee_chair or None
            command = FlagOverdueReview(
                initiative_id=item.initiative_id, at=now, actor=SYSTEM, chair=chair
            )
            stage = STAGE_OF_GATE[item.gate]
            try:
                reply = await self.send(stage, "flag-overdue-review", _ENCODE.encode(command))
            except ServiceUnavailable as exc:
                log.warning("overdue review of %s not flagged: %s", item.initiative_id, exc)
                continue
            if reply.error is not None:
                log.info("overdue review of %s: %s", item.initiative_id, reply.error.detail)
            elif reply.event_ids:
                flagged += 1
        return flagged

    async def digests(self, now: datetime) -> int:
        if now.hour < self.settings.digest_hour:
            return 0
        async with self.pool.acquire() as conn:
            readers = await store.digest_readers(conn)
        queued = 0
        for reader in readers:
            queued += await self.digest(reader, now)
        return queued

    async def digest(self, reader: Recipient, now: datetime) -> int:
        day = now.date()
        waiting = await inbox_store.for_user(self.reads, reader.name, reader.role)
        still = {(i.initiative_id, i.key) for i in waiting}
        async with self.pool.acquire() as conn, conn.transaction():
            entries = await store.claim_digest(conn, reader.name, day)
            if entries is None:
                return 0
            new = [e for e in entries if (e.initiative_id, e.key) in still]
            if not new:
                await store.digest_sent(conn, reader.name, day, 0, None)
                return 0
            letter = mail.digest(reader.name, day, new, len(waiting), self.settings.public_url)
            mail_id = await store.queue_mail(conn, "digest", reader, letter)
            await store.digest_sent(conn, reader.name, day, len(new), mail_id)
        return 1
