"""`tollgate demo` and the first `tollgate up`: seed the demo portfolio and its users.

Everything goes through the stage services' real commands over NATS, with
business time spread over the past months so charts and cycle times mean something.
The demo users are made only by `tollgate demo`, or by `tollgate up` in demo mode on a
fresh store (no initiative, no user): never again after that, and a user that exists is
left as it is, so a password or role someone set is never reset.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from api.users import UserExists, add_user
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
    ("oskar", "owner", "person"),
    ("carlos", "contributor", "person"),
    ("clara", "committee", "person"),
    ("conrad", "committee", "person"),
    ("vera", "viewer", "person"),
    ("admin", "admin", "person"),
    ("kpi-agent", "contributor", "agent"),
)
CONCURRENCY = 6
NO_USERS = (
    "No users yet: create the first admin with"
    " `tollgate users add NAME --role admin --password ...`"
)
REMINDER = (
    f"Demo sign-ins: {', '.join(u[0] for u in USERS)} (password {PASSWORD} unless changed;"
    " `tollgate tokens create NAME` makes a new API token)"
)


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


async def demo_users(pool: Pool, token_days: int) -> list[str]:
    """Make the demo users that do not exist yet, each with a token shown this once."""
    lines = [f"Demo sign-ins (password for every new one: {PASSWORD}):"]
    for name, role, kind in USERS:
        try:
            _, issued = await add_user(
                pool, name, role, kind, PASSWORD, token_name="demo", token_days=token_days
            )
        except UserExists:
            lines.append(f"  {name:<10} exists already: left as it is")
        else:
            lines.append(f"  {name:<10} {role:<12} {kind:<7} API token: {issued.token}")
    return lines


async def store_is_fresh(pool: Pool) -> bool:
    """No initiative and no user yet: a store the demo may fill."""
    used = await pool.fetchval(
        "SELECT EXISTS (SELECT 1 FROM ideation.events) OR EXISTS (SELECT 1 FROM api.users)"
    )
    return not used


async def ensure_demo(settings: Settings, url: str) -> list[str]:
    """In demo mode on a fresh store: the demo users and portfolio, this once. Otherwise
    nothing changes; an instance without users says how to make the first admin."""
    pool = await create_pool(settings.database_url, max_size=4)
    try:
        if settings.demo and await store_is_fresh(pool):
            users = await demo_users(pool, settings.token_days)
            count = await seed(settings, pool)
            return [f"Seeded the demo portfolio: {count} initiatives.", *users]
        if not await pool.fetchval("SELECT EXISTS (SELECT 1 FROM api.users)"):
            return [NO_USERS]
        if settings.demo:
            return [REMINDER]
        return []
    finally:
        await pool.close()


async def seed_cli(settings: Settings) -> int:
    await migrate_all(settings.database_url)
    pool = await create_pool(settings.database_url, max_size=4)
    try:
        count = await seed(settings, pool)
        print(f"seeded {count} demo initiatives")
        for line in await demo_users(pool, settings.token_days):
            print(line)
    finally:
        await pool.close()
    return 0
