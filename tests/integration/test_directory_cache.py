"""Owner and team names resolved from memory (api/names.py) cost no query when kept, ask one
query for the names not kept, and give exactly the answer that query gives: counted here at
the pool, with the real database and the token cache's real listener."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from typing import Any, cast

import pytest_asyncio

from api.names import SQL, Names
from api.people import directory
from api.token_cache import TokenCache
from api.users import add_user, update_user
from infra.db import Pool, create_pool
from infra.migrations import migrate_all


@dataclass
class CountingPool:
    """The real pool, with every fetch it answers recorded."""

    pool: Pool
    fetched: list[Sequence[str]] = field(default_factory=list)

    async def fetch(self, sql: str, names: Sequence[str]) -> list[Any]:
        self.fetched.append(list(names))
        return await self.pool.fetch(sql, names)


@dataclass
class Given:
    pool: Pool
    counted: CountingPool
    tokens: TokenCache
    names: Names
    name: str  # a person's account
    stop: asyncio.Event
    listening: asyncio.Task[None]


@pytest_asyncio.fixture
async def given(database_url: str) -> AsyncIterator[Given]:
    await migrate_all(database_url)
    pool = await create_pool(database_url, max_size=4)
    name = f"Dir-{uuid.uuid4().hex[:8]}"
    await add_user(pool, name, "owner")
    counted = CountingPool(pool)
    tokens, stop = TokenCache(pool, database_url, ttl=60), asyncio.Event()
    listening = asyncio.create_task(tokens.run(stop))
    while not tokens.listening:
        await asyncio.sleep(0.01)
    names = Names(cast(Pool, counted), tokens)
    yield Given(pool, counted, tokens, names, name, stop, listening)
    stop.set()
    await listening
    await pool.close()


async def fresh(given: Given, names: list[str]) -> list[tuple[str, str]]:
    rows = await given.pool.fetch(SQL, sorted({n.strip().lower() for n in names}))
    return sorted((r["name"], r["kind"]) for r in rows)


async def by_another_process(given: Given, sql: str, *args: object) -> None:
    seen = given.tokens.changes
    await given.pool.execute(sql, *args)
    async with asyncio.timeout(10):
        while given.tokens.changes == seen:
            await given.tokens.changed()


async def test_a_repeated_lookup_runs_no_query_and_only_missing_names_are_asked(
    given: Given,
) -> None:
    first = await directory(given.names, [given.name, "free text"])
    assert first.person(given.name).account == given.name
    assert len(given.counted.fetched) == 1

    again = await directory(given.names, [given.name.upper()])
    assert again.person(given.name.upper()).account == given.name
    assert len(given.counted.fetched) == 1, "a kept name asked the database again"

    mixed = [given.name, "free text", "someone else"]
    assert sorted(await given.names.accounts(mixed)) == await fresh(given, mixed)
    assert given.counted.fetched[1:] == [["free text", "someone else"]]


async def test_a_user_added_after_a_miss_is_found_at_once(given: Given) -> None:
    newcomer = f"dir-new-{uuid.uuid4().hex[:8]}"
    assert await given.names.accounts([newcomer]) == []
    await given.pool.execute(
        "INSERT INTO api.users (user_id, name, role, kind) VALUES ($1, $2, 'owner', 'agent')",
        uuid.uuid4(), newcomer,
    )  # fmt: skip
    assert await given.names.accounts([newcomer]) == [(newcomer, "agent")]


async def test_a_name_is_kept_under_the_key_the_database_compares(given: Given) -> None:
    # Python lowers a final capital sigma to the final small sigma, PostgreSQL to the plain
    # small sigma: the user is found by the plain one only, and must not be kept under the
    # final one (which the query does not match).
    stem = f"dir-{uuid.uuid4().hex[:8]}-"
    upper, plain, final = "\u0391\u03a3", "\u03b1\u03c3", "\u03b1\u03c2"
    assert (stem + upper).lower() == stem + final
    await given.pool.execute(
        "INSERT INTO api.users (user_id, name, role) VALUES ($1, $2, 'owner')",
        uuid.uuid4(), stem + upper,
    )  # fmt: skip
    assert await given.names.accounts([stem + plain]) == [(stem + upper, "person")]
    assert await given.names.accounts([stem + final]) == await fresh(given, [stem + final]) == []


async def test_changes_made_here_are_seen_at_once(given: Given) -> None:
    await given.names.accounts([given.name])
    variant = given.name.lower()
    await add_user(given.pool, variant, "owner", "agent")  # no wait for the NOTIFY
    assert sorted(await given.names.accounts([given.name])) == await fresh(given, [given.name])
    assert len(await given.names.accounts([given.name])) == 2

    asked = len(given.counted.fetched)
    await update_user(given.pool, variant, active=False)
    await given.names.accounts([given.name])
    assert len(given.counted.fetched) == asked + 1, "a deactivation kept the name"


async def test_changes_made_elsewhere_are_seen_once_notified(given: Given) -> None:
    await given.names.accounts([given.name])
    await by_another_process(
        given, "UPDATE api.users SET active = false WHERE name = $1", given.name
    )
    asked = len(given.counted.fetched)
    assert await given.names.accounts([given.name]) == await fresh(given, [given.name])
    assert len(given.counted.fetched) == asked + 1, "a deactivation kept the name"

    await by_another_process(
        given, "UPDATE api.users SET kind = 'agent' WHERE name = $1", given.name
    )
    assert await given.names.accounts([given.name]) == [(given.name, "agent")]

    renamed = f"dir-renamed-{uuid.uuid4().hex[:8]}"
    await by_another_process(
        given, "UPDATE api.users SET name = $2 WHERE name = $1", given.name, renamed
    )
    assert await given.names.accounts([given.name]) == []
    assert await given.names.accounts([renamed]) == [(renamed, "agent")]


async def test_nothing_is_kept_once_the_listener_is_down(given: Given) -> None:
    given.stop.set()
    await given.listening
    assert not given.tokens.listening
    for _ in range(3):
        assert await given.names.accounts([given.name]) == [(given.name, "person")]
    assert len(given.counted.fetched) == 3
    assert given.names._kept == {}


async def test_a_case_variant_added_elsewhere_is_seen_once_notified(given: Given) -> None:
    """An added user NOTIFYs too (migration api/008): a kept name that another user's name
    now equals but for case no longer resolves alone."""
    await given.names.accounts([given.name])
    variant = given.name.lower()
    await by_another_process(
        given,
        "INSERT INTO api.users (user_id, name, role, kind) VALUES ($1, $2, 'owner', 'agent')",
        uuid.uuid4(), variant,
    )  # fmt: skip
    both = await given.names.accounts([given.name])
    assert (
        sorted(both)
        == await fresh(given, [given.name])
        == sorted([(given.name, "person"), (variant, "agent")])
    )
    assert (await directory(given.names, [given.name.upper()])).person(
        given.name.upper()
    ).account is None


async def test_nothing_is_kept_with_a_ttl_of_0(given: Given) -> None:
    given.tokens.ttl = 0  # TOLLGATE_TOKEN_CACHE_SECONDS=0
    for _ in range(2):
        assert await given.names.accounts([given.name]) == [(given.name, "person")]
    assert len(given.counted.fetched) == 2
