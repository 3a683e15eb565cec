"""Some of the demo's initiatives through the real commands, at the demo's business times,
for a browser test's own stack: what `tollgate up` seeds, trimmed to what a page needs."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Collection
from datetime import UTC, datetime

from infra.bus import connect
from infra.driver import Driver
from infra.settings import Settings
from launch.demo import planned
from launch.demo_portfolio import profiles

Then = Callable[[Driver, datetime], Awaitable[int]]


async def seed_demo(settings: Settings, titles: Collection[str], then: Then | None = None) -> int:
    """Seed the demo initiatives with these titles (six at a time), then `then`; returns the
    global position of the last event, for the read models to reach."""
    nc = await connect(settings.nats_url, name="e2e-seed")
    driver = Driver(nc, settings.subjects, open_timeout=60)
    now, gate, last = datetime.now(UTC), asyncio.Semaphore(6), 0

    async def one(index: int) -> None:
        nonlocal last
        async with gate:
            for stage, command in planned(profiles()[index], index, now):
                last = max(last, (await driver.step(stage, command)).position or 0)  # type: ignore[arg-type]

    try:
        await asyncio.gather(*(one(i) for i, p in enumerate(profiles()) if p.title in titles))
        if then is not None:
            last = max(last, await then(driver, now))
    finally:
        await nc.drain()
    return last
