"""Wiring of the projection service: migrate, then consume every lifecycle event.

Replicas share one writer: the process holding the lease (infra/lease.py) consumes, the
others stand by and take over within the lease's poll interval when it dies. The event
it held comes back after the consumer's ack wait (ACK_WAIT), so a takeover takes at most
about that long; the tracking row and the timeline's event id keep a redelivered event
from being applied twice, whoever applies it.
"""

from __future__ import annotations

import asyncio
import logging

from infra.bus import connect, ensure_stream
from infra.consumer import Consumer, SelfTracked
from infra.db import create_pool
from infra.lease import Lease
from infra.migrations import migrate_at
from infra.settings import Settings
from services.projection.store import SCHEMA, apply_live

log = logging.getLogger("tollgate.projection")
LEASE = f"projection:{SCHEMA}"
ACK_WAIT = 2.0  # seconds before the event a dead writer held goes to the next one


def durable_name(settings: Settings) -> str:
    return f"{settings.subject_root}-projection"


async def main(settings: Settings, stop: asyncio.Event) -> None:
    database_url = settings.database_url_for("projection")
    await migrate_at(database_url, SCHEMA, "projection")
    pool = await create_pool(database_url)
    nc = await connect(settings.nats_url, "tollgate-projection")
    js = nc.jetstream()
    await ensure_stream(js, settings.subjects, settings.stream_replicas)
    # one message in flight: a redelivered one (after a failure or a crash) comes back
    # before any later one, so events are applied in stream order, as the rebuild does
    consumer = Consumer(
        js,
        pool,
        schema=SCHEMA,
        durable=durable_name(settings),
        stream=settings.stream,
        filter_subjects=[settings.subjects.events],
        handler=SelfTracked(apply_live),  # tracked by its first statement: one round trip
        batch=1,
        ack_wait=ACK_WAIT,
    )

    async def consume(until: asyncio.Event) -> None:
        log.info("projection consuming %s from %s", settings.subjects.events, settings.stream)
        await consumer.run(until)

    log.info("projection waiting for the writer's lease")
    try:
        await Lease(database_url, LEASE).run(stop, consume)
    finally:
        log.info("projection stopping after %d events", consumer.handled)
        await nc.drain()
        await pool.close()
