"""The notifier's consumer: after each lifecycle event, tell every user of each inbox item of
that initiative they were not told of yet.

It waits until the read models have applied the event, then reads the initiative's inbox
rows (services/projection/views/inbox.py). Whether a user was told is recorded per (item,
user) in the consumer's tracking transaction, with the mail or digest entry it queues, so
a redelivered event, or a later event of the same initiative, tells no one twice. Who put
an item there (its `by`: the members who set a condition) is not mailed about it (recorded
as told); users without an address, who chose `off`, or all users while no SMTP server is
configured, are recorded as told too: turning mail on later does not send the past.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Sequence

from api.notifier import agent_accounts, mail, store
from api.notifier.store import Recipient
from events.envelope import CloudEvent
from infra.consumer import Retry
from infra.db import Connection, Pool
from infra.settings import Settings
from services.projection import inbox_store, queries
from services.projection.views.inbox import Addressed, InboxItem

log = logging.getLogger("tollgate.notifier")
CATCH_UP_WAIT = 2.0  # seconds to wait for the read models, well within the ack wait
CATCH_UP_PAUSE = 0.02  # seconds between questions while they are behind


class Notifier:
    def __init__(self, reads: Pool, settings: Settings) -> None:
        self.reads = reads  # the read models (projection schema)
        self.settings = settings
        self.queued = 0
        self.reached = 0  # the highest stream sequence the read models were heard to apply

    async def needed(self, events: Sequence[tuple[CloudEvent, int]]) -> list[bool]:
        """The consumer's check before a transaction, for all the events delivered at once:
        most (a proposal, an edit) leave nothing waiting on anyone, and then handling them
        tells no one and needs no tracking row. Skipping is safe on a redelivery too:
        whatever waits by then was put there by a later event, which tells it, and each
        item is told to each user once (api.notified). The read models are first to have
        applied the last of them (one question, one query)."""
        followed = [agent_accounts.followed(e) is not None for e, _ in events]
        asked = [(e, seq) for (e, seq), f in zip(events, followed, strict=True) if not f]
        if not asked:
            return followed
        try:
            await self._reach(max(seq for _, seq in asked))
        except Retry:  # behind the last: those applied are answered, the rest go on to
            if self.reached < min(seq for _, seq in asked):  # `on_event`, which waits for
                raise  # each and asks for it again later (Retry) while it is not applied
        waiting = await inbox_store.waiting_on(self.reads, [e.subject for e, _ in asked])
        return [f or seq > self.reached or e.subject in waiting
                for (e, seq), f in zip(events, followed, strict=True)]  # fmt: skip

    async def on_event(self, conn: Connection, event: CloudEvent, sequence: int) -> None:
        waiting = await self._waiting(event, sequence)
        await agent_accounts.follow(conn, self.reads, event)  # a suspended agent's tokens stop
        for addressed in waiting:
            for user in await store.recipients(conn, addressed):
                await self.tell(conn, addressed.item, user)

    async def _waiting(self, event: CloudEvent, sequence: int) -> list[Addressed]:
        """What waits for the event's initiative, once the read models have applied it."""
        await self._reach(sequence)
        return await inbox_store.of_initiative(self.reads, event.subject)

    async def _reach(self, sequence: int) -> None:
        """Wait until the read models have applied `sequence`, asking for their position only
        while the last one heard is behind it (it only grows).

        Behind, it waits here rather than asking for the event again: the events after it are
        behind too (the projection applies in stream order). It pauses before it asks: the
        notifier hears of an event as the projection does, so asking at once mostly hears
        "not yet", and after some milliseconds the answer covers several events, each then
        one query. Asking for every held event again each half second cost more than all
        else under load."""
        deadline = time.monotonic() + CATCH_UP_WAIT
        while self.reached < sequence:
            if time.monotonic() >= deadline:
                raise Retry("the read models have not applied this event yet", delay=0.5)
            await asyncio.sleep(CATCH_UP_PAUSE)
            self.reached = max(self.reached, await queries.applied_position(self.reads))

    def channel(self, item: InboxItem, user: Recipient) -> str:
        if not self.settings.smtp_url or not user.email or user.notify == "off":
            return "none"
        if user.name in item.by:
            return "none"
        return "immediate" if item.urgent else user.notify  # a serious incident waits for no digest

    async def tell(self, conn: Connection, item: InboxItem, user: Recipient) -> None:
        channel = self.channel(item, user)
        if not await store.first_notice(conn, item, user.name, channel):
            return
        if channel == "immediate":
            letter = mail.immediate(user.name, item, self.settings.public_url)
            await store.queue_mail(conn, "immediate", user, letter)
            self.queued += 1
        elif channel == "digest":
            await store.queue_digest_entry(conn, user.name, item)
