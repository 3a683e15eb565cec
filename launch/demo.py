"""`tollgate demo` and the first `tollgate up`: seed the demo portfolio and its users.

Everything goes through the stage services' real commands over NATS, with
business time spread over the past months so charts and cycle times mean something.
The demo users are made only by `tollgate demo`, or by `tollgate up` in demo mode on a
fresh store (no initiative, no user): never again after that, and a user that exists is
left as it is, so a password or role someone set is never reset.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta

from api.users import UserExists, add_user
from infra.bus import connect as connect_nats
from infra.db import Pool, create_pool
from infra.driver import Driver
from infra.migrations import migrate_each
from infra.settings import Settings
from launch import demo_agents, demo_incidents, demo_obligations, demo_trends
from launch.demo_portfolio import profiles
from launch.demo_value import with_cases
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
    ("doc-agent", "contributor", "agent"),  # drafts documents for the owner (demo_agents.py)
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


LIFECYCLE = 36  # steps of a journey to production
PACE = (0.85, 0.97, 0.7, 0.99, 0.6, 0.92, 0.78)  # share of its time the journey took: staleness


def planned(p: Profile, index: int, now: datetime) -> list[tuple[str, object]]:
    """The journey of the index-th initiative, started up to 280 days ago, ending before now
    (some long ago, some lately, so that time in stage and staleness differ)."""
    dry = Clock(now, timedelta(hours=1))
    steps = len(journey(p, dry))  # how many steps and ticks the journey takes
    ticks = (dry.now - now) / timedelta(hours=1)
    # a short journey (an idea, a PoC) started more lately than a whole lifecycle
    start = now - timedelta(days=(280 - index * 9) * min(max(steps / LIFECYCLE, 0.2), 1.0))
    step = (now - start) * PACE[index % len(PACE)] / max(ticks, 1)
    return list(with_cases(p, index, list(journey(p, Clock(start, step))), now))  # + cases


@contextlib.asynccontextmanager
async def databases(settings: Settings, pool: Pool) -> AsyncIterator[Callable[[str], Pool]]:
    """A pool for each service's database: `pool` (on DATABASE_URL) where a service has no
    database of its own, else a small one of its own, closed at the end."""
    own: dict[str, Pool] = {}
    try:
        for service in ("ideation", "projection", "api"):
            url = settings.database_url_for(service)
            if url != settings.database_url and url not in own:
                own[url] = await create_pool(url, max_size=2)
        yield lambda service: own.get(settings.database_url_for(service), pool)
    finally:
        for extra in own.values():
            await extra.close()


async def seed(settings: Settings, pool: Pool) -> int:
    """Drive every demo initiative not yet in the store; returns how many were seeded."""
    async with databases(settings, pool) as database:
        return await _seed(settings, database)


async def _seed(settings: Settings, database: Callable[[str], Pool]) -> int:
    nc = await connect_nats(settings.nats_url, name="tollgate-demo")
    driver = Driver(nc, settings.subjects, open_timeout=60)
    now = datetime.now(UTC)
    gate = asyncio.Semaphore(CONCURRENCY)
    existing = {
        r["stream_id"]
        for r in await database("ideation").fetch("SELECT DISTINCT stream_id FROM ideation.events")
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
        last = max(last, await demo_trends.seed(driver, now))  # the radar, once
        last = max(last, await demo_agents.seed(driver, now))  # two agents, drafts, a refusal
        last = max(last, await demo_incidents.seed(driver, now))  # an escalated incident
        last = max(last, await demo_obligations.seed(driver, now))  # EU AI Act, HR pilot
    finally:
        await nc.drain()
    # the read models show the whole demo before anyone looks
    await queries.wait_for_position(database("projection"), last, timeout=30)
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


async def store_is_fresh(database: Callable[[str], Pool]) -> bool:
    """No initiative and no user yet: a store the demo may fill."""
    proposed = await database("ideation").fetchval("SELECT EXISTS (SELECT 1 FROM ideation.events)")
    return not proposed and not await database("api").fetchval(
        "SELECT EXISTS (SELECT 1 FROM api.users)"
    )


async def ensure_demo(settings: Settings, url: str) -> list[str]:
    """In demo mode on a fresh store: the demo users and portfolio, this once. Otherwise
    nothing changes; an instance without users says how to make the first admin."""
    pool = await create_pool(settings.database_url, max_size=4)
    try:
        async with databases(settings, pool) as database:
            accounts = database("api")
            if settings.demo and await store_is_fresh(database):
                users = await demo_users(accounts, settings.token_days)
                count = await _seed(settings, database)
                return [f"Seeded the demo portfolio: {count} initiatives.", *users]
            if not await accounts.fetchval("SELECT EXISTS (SELECT 1 FROM api.users)"):
                return [NO_USERS]
        if settings.demo:
            return [REMINDER]
        return []
    finally:
        await pool.close()


async def seed_cli(settings: Settings) -> int:
    await migrate_each(settings.database_url_for)
    pool = await create_pool(settings.database_url, max_size=4)
    try:
        async with databases(settings, pool) as database:
            count = await _seed(settings, database)
            print(f"seeded {count} demo initiatives")
            for line in await demo_users(database("api"), settings.token_days):
                print(line)
    finally:
        await pool.close()
    return 0
