"""`tollgate service notifier`: tell users what waits in their inbox, by e-mail, and run the
clock-driven work (overdue reviews, daily digests), until stopped.

Its own process, like the webhook worker: a durable JetStream consumer shared by its
replicas (queue group) records who was told what in the API's database (notify.py), a
sender sends the queued mails over TOLLGATE_SMTP_URL (sender.py; no mail while it is
unset), and a scheduler ticks every TOLLGATE_SCHEDULER_SECONDS (scheduler.py).
"""

from __future__ import annotations

import asyncio
import functools
import logging

from api.notifier.notify import Notifier
from api.notifier.scheduler import Scheduler
from api.notifier.sender import Sender
from infra import commands
from infra.bus import connect, ensure_stream
from infra.consumer import Consumer
from infra.db import create_pool
from infra.migrations import migrate_at
from infra.settings import Settings

log = logging.getLogger("tollgate.notifier")
SCHEMA = "api"  # users, what was notified, the mails, and the consumer's tracking rows


def durable_name(settings: Settings) -> str:
    return f"{settings.subject_root}-notifier"


async def main(settings: Settings, stop: asyncio.Event) -> None:
    own_url, reads_url = settings.database_url_for("api"), settings.database_url_for("projection")
    await migrate_at(own_url, SCHEMA, "api")
    pool = await create_pool(own_url, max_size=4)  # a consumer, a sender and a scheduler
    reads = await create_pool(reads_url, max_size=4) if reads_url != own_url else pool
    nc = await connect(settings.nats_url, "tollgate-notifier")
    js = nc.jetstream()
    await ensure_stream(js, settings.subjects, settings.stream_replicas)
    notifier = Notifier(reads, settings)
    consumer = Consumer(
        js,
        pool,
        schema=SCHEMA,
        durable=durable_name(settings),
        stream=settings.stream,
        filter_subjects=[settings.subjects.events],
        handler=notifier.on_event,
        needed=notifier.needed,
    )
    send = functools.partial(commands.send, nc, settings.subjects, timeout=settings.command_timeout)
    scheduler = Scheduler(pool, reads, send, settings)
    mail = "on" if settings.smtp_url else "off (TOLLGATE_SMTP_URL unset)"
    log.info("notifier consuming %s; mail %s", settings.subjects.events, mail)
    try:
        async with asyncio.TaskGroup() as tasks:  # one failing stops all: the supervisor restarts
            tasks.create_task(consumer.run(stop))
            tasks.create_task(scheduler.run(stop))
            if settings.smtp_url:
                sender = Sender(pool, settings.smtp_url, settings.smtp_from)
                tasks.create_task(sender.run(stop))
    finally:
        handled, queued = consumer.handled, notifier.queued
        log.info("notifier stopping after %d events, %d mails queued", handled, queued)
        await nc.drain()
        await pool.close()
        if reads is not pool:
            await reads.close()
