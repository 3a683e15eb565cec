"""Helpers for integration tests that talk to the real NATS."""

from __future__ import annotations

import asyncio
import contextlib
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable

import nats
from nats.js import JetStreamContext

from infra.bus import ensure_stream
from infra.settings import Settings


def own_bus(settings: Settings) -> Settings:
    """A stream and subject root of this test's own on the session's NATS."""
    tag = uuid.uuid4().hex[:8]
    return Settings(
        database_url=settings.database_url,
        nats_url=settings.nats_url,
        stream=f"{settings.stream}_{tag}",
        subject_root=f"{settings.subject_root}x{tag}",
        demo=False,
    )


async def eventually(
    check: Callable[[], Awaitable[bool]], timeout: float = 20.0, what: str = "condition"
) -> None:
    """Wait for an observable condition (a position, a count), not for a fixed time."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if await check():
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"timed out after {timeout:g}s waiting for {what}")


async def drop_stream(nats_url: str, stream: str) -> None:
    """Remove a test's own stream (gone already: nothing to do)."""
    nc = await nats.connect(nats_url)
    with contextlib.suppress(Exception):
        await nc.jetstream().delete_stream(stream)
    await nc.close()


@contextlib.asynccontextmanager
async def own_stream(settings: Settings) -> AsyncIterator[tuple[Settings, JetStreamContext]]:
    """A stream of the test's own (its settings and a JetStream context), deleted after."""
    bus = own_bus(settings)
    nc = await nats.connect(bus.nats_url)
    js = nc.jetstream()
    await ensure_stream(js, bus.subjects)
    try:
        yield bus, js
    finally:
        await js.delete_stream(bus.stream)
        await nc.close()
