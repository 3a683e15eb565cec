"""`tollgate service webhooks`: queue deliveries from the stream and POST them, until stopped.

Its own process, apart from the API: replicas share the durable consumer (queue group), and
the deliveries queue lives in PostgreSQL, so a slow receiver never holds up an HTTP request.
"""

from __future__ import annotations

import asyncio
import logging

from api.webhooks.address import allow_list
from api.webhooks.worker import QUEUE_DELIVERIES, Deliverer, wanted
from infra.bus import connect, ensure_stream
from infra.consumer import Consumer
from infra.db import create_pool
from infra.migrations import migrate_at
from infra.settings import Settings

log = logging.getLogger("tollgate.webhooks")
SCHEMA = "api"  # subscriptions, deliveries and the consumer's tracking rows
ACK_WAIT = 3.0  # seconds before events a killed replica held are queued by another


def durable_name(settings: Settings) -> str:
    return f"{settings.subject_root}-api-webhooks"


async def main(settings: Settings, stop: asyncio.Event) -> None:
    database_url = settings.database_url_for("webhooks")  # the API's database
    await migrate_at(database_url, SCHEMA, "api")
    pool = await create_pool(database_url)
    nc = await connect(settings.nats_url, "tollgate-webhooks")
    js = nc.jetstream()
    await ensure_stream(js, settings.subjects, settings.stream_replicas)
    consumer = Consumer(
        js,
        pool,
        schema=SCHEMA,
        durable=durable_name(settings),
        stream=settings.stream,
        filter_subjects=[settings.subjects.events],
        handler=QUEUE_DELIVERIES,
        needed=wanted(pool),
        ack_wait=ACK_WAIT,
    )
    log.info("webhooks consuming %s from %s", settings.subjects.events, settings.stream)
    try:
        async with asyncio.TaskGroup() as tasks:  # one failing stops both: the supervisor restarts
            tasks.create_task(consumer.run(stop))
            tasks.create_task(Deliverer(pool, allow=allow_list(settings.webhook_allow)).run(stop))
    finally:
        log.info("webhooks stopping after %d events", consumer.handled)
        await nc.drain()
        await pool.close()
