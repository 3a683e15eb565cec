"""Runs one outbox relay as its own process, so a test can SIGKILL it mid-stream."""

from __future__ import annotations

import asyncio
import sys

from events.subjects import Subjects
from infra.bus import Publisher, connect, ensure_stream
from infra.db import create_pool
from infra.eventstore import EventStore
from infra.outbox import Relay


async def main(dsn: str, nats_url: str, schema: str, stream: str, root: str, batch: int) -> None:
    pool = await create_pool(dsn)
    nc = await connect(nats_url, name="relay-test")
    subjects = Subjects(root=root, stream=stream)
    await ensure_stream(nc.jetstream(), subjects)
    relay = Relay(
        dsn, EventStore(pool, schema), Publisher(nc, subjects),
        stages=["ideation"], batch=batch,
    )  # fmt: skip
    print("relay running", flush=True)
    await relay.run(asyncio.Event())


if __name__ == "__main__":
    dsn, nats_url, schema, stream, root, batch = sys.argv[1:7]
    asyncio.run(main(dsn, nats_url, schema, stream, root, int(batch)))
