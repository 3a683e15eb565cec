"""Wiring of the projection service: migrate, then consume every lifecycle event."""

from __future__ import annotations

import asyncio
import logging

from infra.bus import connect, ensure_stream
from infra.consumer import Consumer
from infra.db import connect as connect_db
from infra.db import create_pool
from infra.migrations import migrate
from infra.settings import Settings
from services.projection.store import SCHEMA, apply_live

log = logging.getLogger("tollgate.projection")


def durable_name(settings: Settings) -> str:
    return f"{settings.subject_root}-projection"


async def main(settings: Settings, stop: asyncio.Event) -> None:
    conn = await connect_db(settings.database_url)
    try:
        await migrate(conn, SCHEMA, "projection")
    finally:
        await conn.close()
    pool = await create_pool(settings.database_url)
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
        handler=apply_live,
        batch=1,
    )
    log.info("projection consuming %s from %s", settings.subjects.events, settings.stream)
    try:
        await consumer.run(stop)
    finally:
        log.info("projection stopping after %d events", consumer.handled)
        await nc.drain()
        await pool.close()
