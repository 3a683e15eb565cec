"""`tollgate demo` and the first `tollgate up`: seed the demo portfolio and its users.

Everything goes through the stage services' real commands over NATS, with
business time spread over the past months so charts and cycle times mean something.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from api.users import add_user
from infra.bus import connect as connect_nats
from infra.db import Pool, create_pool
from infra.driver import Driver
from infra.migrations import migrate_all
from infra.settings import Settings
from launch.demo_portfolio import profiles
from services.journeys import Clock, Profile, journey
from services.projection import queries

PASSWORD = "tollgate-demo"
USERS = (  # name, role, kind: the journeys' actors, plus a viewer and an admin
    ("olivia", "owner", "person"),
    ("carlos", "contributor", "person"),
    ("clara", "committee", "person"),
    ("conrad", "committee", "person"),
    ("vera", "viewer", "person"),
    ("admin", "admin", "person"),
    ("kpi-agent", "contributor", "agent"),
)
CONCURRENCY = 6


def planned(p: Profile, index: int, now: datetime) -> list[tuple[str, object]]:
    """The journey of the index-th initiative, started 40-280 days ago, ending before now."""
    start = now - timedelta(days=280 - index * 9)
    dry = Clock(start, timedelta(hours=1))
    journey(p, dry)  # how many ticks the journey takes
    ticks = (dry.now - start) / timedelta(hours=1)
    step = (now - start) * 0.85 / max(ticks, 1)
    return list(journey(p, Clock(start, step)))


async def seed(settings: Settings, pool: Pool) -> int:
    """Drive every demo initiative not yet in the store; returns how many were seeded."""
    nc = await connect_nats(settings.nats_url, name="tollgate-demo")
    driver = Driver(nc, settings.subjects, open_timeout=60)
    now = datetime.now(UTC)
    gate = asyncio.Semaphore(CONCURRENCY)
    existing = {
        r["stream_id"] for r in await pool.fetch("SELECT DISTINCT stream_id FROM ideation.events")
    }

    last = 0

    async def one(index: int, p: Profile) -> None:
        nonlocal last
        async with gate:
            for stage, command in planned(p, index, now):
                reply = await driver.step(stage, command)  # type: ignore[arg-type]
                last = max(last, reply.position or 0)

    todo = [(i, p) for i, p in enumerate(profiles()) if p.initiative_id not in existing]
    try:
        await asyncio.gather(*(one(i, p) for i, p in todo))
    finally:
        await nc.drain()
    # the read models show the whole demo before anyone looks
    await queries.wait_for_position(pool, last, timeout=30)
    return len(todo)


async def demo_users(pool: Pool) -> list[str]:
    lines = [f"Demo sign-ins (password for every one: {PASSWORD}):"]
    for name, role, kind in USERS:
        _, token = await add_user(pool, name, role, kind, PASSWORD)
        lines.append(f"  {name:<10} {role:<12} {kind:<7} API token: {token}")
    return lines


async def store_is_empty(pool: Pool) -> bool:
    return not await pool.fetchval("SELECT EXISTS (SELECT 1 FROM ideation.events)")


async def ensure_demo(settings: Settings, url: str) -> list[str]:
    """Seed when enabled and the store is empty; always (re)issue the demo users' tokens."""
    pool = await create_pool(settings.database_url, max_size=4)
    try:
        lines = []
        if settings.demo and await store_is_empty(pool):
            count = await seed(settings, pool)
            lines.append(f"Seeded the demo portfolio: {count} initiatives.")
        return lines + await demo_users(pool)
    finally:
        await pool.close()


async def seed_cli(settings: Settings) -> int:
    await migrate_all(settings.database_url)
    pool = await create_pool(settings.database_url, max_size=4)
    try:
        count = await seed(settings, pool)
        print(f"seeded {count} demo initiatives")
        for line in await demo_users(pool):
            print(line)
    finally:
        await pool.close()
    return 0
