"""Repeated reads answered from memory (api/read_cache.py), against the whole app in this
process (in the test's loop: requests run at once) with its real lifespan: PostgreSQL, the
token cache and the read models' watch. The cache's clock is held still so that every read
falls in one second; notifications are sent as the projection sends them (watch.tell)."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

import httpx
import pytest
import pytest_asyncio
from litestar import Litestar
from msgspec.structs import replace

from api import read_cache
from api.deps import Deps
from api.tokens import revoke
from infra.db import Pool, create_pool
from infra.migrations import migrate_all
from infra.settings import Settings
from services.projection import queries, watch
from services.projection.store import SCHEMA, row_record, upsert_sql
from services.projection.views.initiative import Initiative, initial
from tests.accounts import ensure_user

pytestmark = pytest.mark.asyncio(loop_scope="session")
NOW = 1_900_000_000.0


@dataclass
class World:
    app: Litestar
    client: httpx.AsyncClient
    pool: Pool
    tokens: dict[str, str]  # name -> token
    users: dict[str, str]  # name -> the account (the user's name)
    iid: str
    reads: list[str]  # initiatives the handler read (the cache did not answer)
    clock: list[float]  # the cache's time.time()

    def bearer(self, who: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[who]}"}

    async def get(self, path: str, who: str = "ann", **params: Any) -> httpx.Response:
        return await self.client.get(f"/api/v1/{path}", headers=self.bearer(who), params=params)

    @property
    def watch(self) -> watch.Watch:
        deps = self.app.state.deps
        assert isinstance(deps, Deps)
        heard = watch.watching(deps.reads)
        assert heard is not None, "the app's watch is not listening"
        return heard

    async def write(self, row: Initiative, *, heard: bool = True) -> None:
        """Store a read-model row; `heard`: notified after the commit, as the projection does."""
        await self.pool.execute(upsert_sql(SCHEMA), *row_record(row))
        if heard:
            changes = self.watch.changes
            await watch.tell(self.pool, self.watch.position, {row.initiative_id})
            await until(lambda: self.watch.changes > changes)


async def until(check: Callable[[], bool], seconds: float = 5.0) -> None:
    for _ in range(int(seconds / 0.01)):
        if check():
            return
        await asyncio.sleep(0.01)
    raise AssertionError("timed out")


def titled(row: Initiative, title: str) -> Initiative:
    return replace(row, summary=replace(row.summary, title=title))


@pytest_asyncio.fixture(loop_scope="session")
async def world(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[World]:
    from web.app import create_web_app

    await migrate_all(settings.database_url)
    pool = await create_pool(settings.database_url, max_size=2)
    run = uuid.uuid4().hex[:8]
    tokens, users = {}, {}
    for name in ("ann", "bob"):
        user, tokens[name] = await ensure_user(pool, f"cache-{name}-{run}", "viewer")
        users[name] = user.name
    iid = f"cached-{run}"
    await pool.execute(upsert_sql(SCHEMA), *row_record(titled(initial(iid), "First")))
    clock = [NOW]
    monkeypatch.setattr(read_cache, "time", SimpleNamespace(time=lambda: clock[0]))
    reads: list[str] = []
    original = queries.get_initiative

    async def counted(pool: Pool, initiative_id: str, **kw: Any) -> Any:
        reads.append(initiative_id)
        await asyncio.sleep(0.02)  # a read under load: others arrive while it runs
        return await original(pool, initiative_id, **kw)

    monkeypatch.setattr(queries, "get_initiative", counted)
    app = create_web_app(settings)
    started, stop = asyncio.Event(), asyncio.Event()

    async def serve() -> None:  # the lifespan enters and exits in one task
        async with app.lifespan():
            started.set()
            await stop.wait()

    serving = asyncio.create_task(serve())
    await started.wait()
    transport = httpx.ASGITransport(app=app)  # in this loop: gathered requests run at once
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        world = World(app, client, pool, tokens, users, iid, reads, clock)
        await until(lambda: watch.watching(app.state.deps.reads) is not None)
        yield world
    stop.set()
    await serving
    await pool.close()


async def test_a_repeated_read_is_answered_from_memory_until_a_notification(world: World):
    first = await world.get(f"initiatives/{world.iid}")
    again = await world.get(f"initiatives/{world.iid}")
    assert first.status_code == again.status_code == 200
    assert again.content == first.content and first.json()["summary"]["title"] == "First"
    assert again.headers["content-type"] == "application/json"
    assert int(again.headers["content-length"]) == len(first.content)
    assert world.reads == [world.iid], "the second read ran the handler"
    await world.get(f"initiatives/{world.iid}", who="bob")  # a token not kept yet: whole path
    assert len(world.reads) == 2

    await world.write(titled(initial(world.iid), "Second"))
    assert (await world.get(f"initiatives/{world.iid}")).json()["summary"]["title"] == "Second"
    assert world.reads == [world.iid] * 3


async def test_reads_arriving_while_an_answer_is_made_wait_for_it(world: World):
    await world.get("portfolio")  # the token is kept from now on
    answers = await asyncio.gather(*(world.get(f"initiatives/{world.iid}") for _ in range(6)))
    assert [a.status_code for a in answers] == [200] * 6
    assert len({a.content for a in answers}) == 1
    assert world.reads == [world.iid], "the same answer was made more than once"


async def test_any_notification_drops_every_kept_answer(world: World):
    await world.get(f"initiatives/{world.iid}")
    await world.write(initial(f"other-{uuid.uuid4().hex[:8]}"))  # another initiative
    await world.get(f"initiatives/{world.iid}")
    assert world.reads == [world.iid] * 2


async def test_an_answer_is_kept_for_the_second_it_was_made_in(world: World):
    for tick in (0.0, 0.9, 1.0, 1.5):  # the days in stage and the costs run with the clock
        world.clock[0] = NOW + tick
        await world.get(f"initiatives/{world.iid}")
    assert world.reads == [world.iid] * 2


async def test_a_revoked_token_is_refused_though_its_answer_is_kept(world: World):
    assert (await world.get(f"initiatives/{world.iid}")).status_code == 200
    token_id = await world.pool.fetchval(
        "SELECT t.token_id::text FROM api.tokens t JOIN api.users u USING (user_id)"
        " WHERE u.name = $1",
        world.users["ann"],
    )
    await revoke(world.pool, token_id)
    refused = await world.get(f"initiatives/{world.iid}")
    assert refused.status_code == 401, refused.text
    assert (await world.get(f"initiatives/{world.iid}", who="bob")).status_code == 200


async def test_answers_per_caller_and_read_your_writes_take_the_whole_path(world: World):
    owned = replace(initial(world.iid), summary=replace(
        initial(world.iid).summary, owner_account=world.users["ann"], title="Ann's"))  # fmt: skip
    await world.write(owned)
    ann = (await world.get("initiatives", mine="true")).json()["items"]
    bob = (await world.get("initiatives", who="bob", mine="true")).json()["items"]
    assert [i["initiative_id"] for i in ann] == [world.iid] and bob == []

    position = world.watch.position
    for _ in range(2):
        await world.get(f"initiatives/{world.iid}", min_position=position)
    assert world.reads == [world.iid] * 2


async def test_nothing_is_answered_from_memory_while_the_watch_is_not_listening(world: World):
    await world.get(f"initiatives/{world.iid}")
    await world.pool.execute(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
        " WHERE application_name = $1 AND datname = current_database()",
        f"tollgate listen {watch.CHANNEL}",
    )  # every process's watch on this database comes back by itself
    await until(lambda: watch.watching(world.app.state.deps.reads) is None, 2)
    await world.write(titled(initial(world.iid), "Unheard"), heard=False)
    assert (await world.get(f"initiatives/{world.iid}")).json()["summary"]["title"] == "Unheard"
    assert len(world.reads) == 2


async def test_the_answers_kept_are_bounded_in_bytes(world: World, monkeypatch: pytest.MonkeyPatch):
    other = f"other-{uuid.uuid4().hex[:8]}"
    await world.write(initial(other))
    size = len((await world.get(f"initiatives/{world.iid}")).content)
    monkeypatch.setattr(read_cache, "MAX_BYTES", size + size // 2)  # room for one answer
    for iid in (world.iid, other, world.iid, world.iid):
        await world.get(f"initiatives/{iid}")
    assert world.reads == [world.iid, other, world.iid]
