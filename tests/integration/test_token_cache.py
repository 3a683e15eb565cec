"""The API's token cache answers as a fresh lookup does, also right after a token is
revoked or its user deactivated or re-roled: the change NOTIFYs, and the cache forgets."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest
import pytest_asyncio

from api.token_cache import TokenCache
from api.tokens import revoke
from api.users import TokenRefused, User, add_user, update_user, user_for_token
from infra.db import Pool, create_pool
from infra.migrations import migrate_all


@dataclass
class Given:
    pool: Pool
    cache: TokenCache
    name: str
    token: str
    token_id: str


@pytest_asyncio.fixture
async def given(database_url: str) -> AsyncIterator[Given]:
    await migrate_all(database_url)
    pool = await create_pool(database_url, max_size=4)
    name = f"cache-{uuid.uuid4().hex[:8]}"
    await add_user(pool, f"{name}-admin", "admin")  # so `name` is never the last admin
    _, issued = await add_user(pool, name, "contributor")
    cache, stop = TokenCache(pool, database_url, ttl=60), asyncio.Event()
    listening = asyncio.create_task(cache.run(stop))
    while not cache.listening:
        await asyncio.sleep(0.01)
    yield Given(pool, cache, name, issued.token, issued.info.token_id)
    stop.set()
    await listening
    await pool.close()


async def answers(given: Given) -> tuple[User | str, User | str]:
    """(cached, fresh): the user or the refusal's reason."""
    out: list[User | str] = []
    for lookup in (given.cache.user, lambda t: user_for_token(given.pool, t)):
        try:
            out.append(await lookup(given.token))
        except TokenRefused as exc:
            out.append(str(exc))
    return out[0], out[1]


async def changed(given: Given, change: object) -> None:
    seen = given.cache.changes
    await change  # type: ignore[misc]
    async with asyncio.timeout(10):
        while given.cache.changes == seen:
            await given.cache.changed()


async def test_a_kept_token_is_refused_at_its_next_request_after_it_is_revoked(given: Given):
    first = await given.cache.user(given.token)
    assert given.cache._kept, "the first answer is kept"

    await changed(given, revoke(given.pool, given.token_id))

    cached, fresh = await answers(given)
    assert cached == fresh == "the token was revoked"
    assert first.name == given.name


async def test_a_deactivated_user_is_refused_and_a_new_role_applies_at_once(given: Given):
    await given.cache.user(given.token)

    await changed(given, update_user(given.pool, given.name, role="viewer"))
    cached, fresh = await answers(given)
    assert isinstance(cached, User) and cached == fresh and cached.role == "viewer"

    await changed(given, update_user(given.pool, given.name, active=False))
    cached, fresh = await answers(given)
    assert cached == fresh == "the token's user is deactivated"


async def test_an_expired_token_is_refused_though_kept(given: Given):
    await given.cache.user(given.token)
    await changed(given, given.pool.execute(
        "UPDATE api.tokens SET expires_at = now() - interval '1 second' WHERE token_id = $1",
        uuid.UUID(given.token_id),
    ))  # fmt: skip

    cached, fresh = await answers(given)
    assert cached == fresh == "the token has expired"


async def test_nothing_is_kept_while_the_cache_is_not_listening(given: Given):
    given.cache.listening = False
    await given.cache.user(given.token)
    assert not given.cache._kept
    with pytest.raises(TokenRefused):
        await given.cache.user("tg_unknown")


async def test_a_revocation_made_in_this_process_is_refused_without_waiting_for_the_notify(
    given: Given,
):
    await given.cache.user(given.token)

    await revoke(given.pool, given.token_id)  # no wait: the revoking process forgets at once

    cached, fresh = await answers(given)
    assert cached == fresh == "the token was revoked"
