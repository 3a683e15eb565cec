"""Accounts by name kept per API process (api/names.py) answer as a fresh lookup does: a
name kept is not asked again, a name not found is always asked, and a change made by
another process (a plain SQL statement here: no in-process hook) is seen once its NOTIFY
arrives."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest_asyncio

from api.names import SQL, Names
from api.token_cache import TokenCache
from api.users import add_user
from infra.db import Pool, create_pool
from infra.migrations import migrate_all


@dataclass
class Given:
    pool: Pool
    tokens: TokenCache
    names: Names
    name: str  # a person's account


@pytest_asyncio.fixture
async def given(database_url: str) -> AsyncIterator[Given]:
    await migrate_all(database_url)
    pool = await create_pool(database_url, max_size=4)
    name = f"Names-{uuid.uuid4().hex[:8]}"
    await add_user(pool, name, "owner")
    tokens, stop = TokenCache(pool, database_url, ttl=60), asyncio.Event()
    listening = asyncio.create_task(tokens.run(stop))
    while not tokens.listening:
        await asyncio.sleep(0.01)
    yield Given(pool, tokens, Names(pool, tokens), name)
    stop.set()
    await listening
    await pool.close()


async def fresh(given: Given, names: list[str]) -> list[tuple[str, str]]:
    rows = await given.pool.fetch(SQL, sorted({n.strip().lower() for n in names}))
    return sorted((r["name"], r["kind"]) for r in rows)


async def by_another_process(given: Given, sql: str, *args: object) -> None:
    """A change the way another replica or the CLI makes it, then its NOTIFY heard."""
    seen = given.tokens.changes
    await given.pool.execute(sql, *args)
    async with asyncio.timeout(10):
        while given.tokens.changes == seen:
            await given.tokens.changed()


async def test_a_name_found_is_kept_and_a_name_not_found_is_always_asked(given: Given):
    asked = [given.name, " someone-free-text "]
    first = await given.names.accounts(asked)
    assert sorted(first) == await fresh(given, asked) == [(given.name, "person")]
    queries = given.names.queries
    assert await given.names.accounts([given.name.upper()]) == [(given.name, "person")]
    assert given.names.queries == queries, "a kept name asked the database again"
    await given.names.accounts(["someone-free-text"])
    assert given.names.queries == queries + 1, "a name not found was taken from memory"


async def test_a_user_added_elsewhere_is_found_at_once(given: Given):
    newcomer = f"new-{uuid.uuid4().hex[:8]}"
    assert await given.names.accounts([newcomer]) == []
    await given.pool.execute(
        "INSERT INTO api.users (user_id, name, role, kind) VALUES ($1, $2, 'owner', 'person')",
        uuid.uuid4(), newcomer,
    )  # fmt: skip
    assert await given.names.accounts([newcomer]) == [(newcomer, "person")]


async def test_changes_made_elsewhere_are_seen_once_notified(given: Given):
    await given.names.accounts([given.name])
    variant = given.name.lower()  # the same name but for case: it no longer resolves alone
    await by_another_process(
        given,
        "INSERT INTO api.users (user_id, name, role, kind) VALUES ($1, $2, 'owner', 'agent')",
        uuid.uuid4(), variant,
    )  # fmt: skip
    assert sorted(await given.names.accounts([given.name])) == await fresh(given, [given.name])
    assert len(await given.names.accounts([given.name])) == 2

    await by_another_process(
        given, "UPDATE api.users SET kind = 'agent' WHERE name = $1", given.name
    )
    assert (given.name, "agent") in await given.names.accounts([given.name])

    renamed = f"renamed-{uuid.uuid4().hex[:8]}"
    await by_another_process(
        given, "UPDATE api.users SET name = $2 WHERE name = $1", given.name, renamed
    )
    assert await given.names.accounts([given.name]) == [(variant, "agent")]


async def test_nothing_is_kept_while_not_listening_or_with_a_ttl_of_0(given: Given):
    given.tokens.forget()
    given.tokens.listening = False  # as while its connection is down
    for _ in range(2):
        await given.names.accounts([given.name])
    assert given.names.queries == 2
    given.tokens.listening, given.tokens.ttl = True, 0
    for _ in range(2):
        await given.names.accounts([given.name])
    assert given.names.queries == 4
    assert Names(given.pool, None)._kept == {}
