"""Idempotency-Key through HTTP against real processes: a repeat gives one initiative and the
first response, another body is a 422, concurrent repeats store once, the stage service's
own record answers a retry the API forgot, and a command that timed out behind a locked
events table is retried safely with the same key."""

from __future__ import annotations

import asyncio
import contextlib
import time
import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
import pytest_asyncio

from api.routes.system import COMMAND_SERVICES
from infra.db import connect
from infra.migrations import migrate_all
from infra.settings import Settings
from tests.integration.api_stack import Api, make_users
from tests.stack import Stack

pytestmark = pytest.mark.asyncio(loop_scope="session")
COMMAND_TIMEOUT = 1.0
LOCK_HELD = 3.0  # longer than the API waits for the ideation service


class ShortTimeoutStack(Stack):
    """The API gives up on a stage service after COMMAND_TIMEOUT seconds."""

    def env(self, name: str = "api") -> dict[str, str]:
        return {**super().env(name), "TOLLGATE_COMMAND_TIMEOUT": str(COMMAND_TIMEOUT)}


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def api(settings: Settings) -> AsyncIterator[Api]:
    await migrate_all(settings.database_url)
    stack = ShortTimeoutStack(settings)
    try:
        await stack.start(*COMMAND_SERVICES, "projection", "api")  # /health needs them all
        client = Api(stack, await make_users(settings))
        yield client
        await client.http.aclose()
    finally:
        await stack.stop_all()


def idea(title: str) -> dict[str, Any]:
    return {
        "title": title, "problem_statement": "Invoices are routed by hand.",
        "business_goal": "Halve routing time.", "sponsor": "CFO", "owner": "owner",
        "ai_category": "classification",
    }  # fmt: skip


async def propose(api: Api, body: dict[str, Any], key: str) -> httpx.Response:
    headers = {**api.headers("contributor"), "Idempotency-Key": key}
    return await api.http.post("/initiatives", json=body, headers=headers)


async def initiatives_titled(api: Api, title: str, position: int | None = None) -> list[str]:
    params: dict[str, Any] = {"q": title, "min_position": position} if position else {"q": title}
    page = (await api.get("/initiatives", **params)).json()
    return [item["initiative_id"] for item in page["items"] if item["title"] == title]


async def test_the_same_key_posted_twice_gives_one_initiative_and_the_first_response(api: Api):
    title, key = f"Twice {uuid.uuid4().hex[:8]}", str(uuid.uuid4())
    first = await propose(api, idea(title), key)
    again = await propose(api, idea(title), key)
    assert first.status_code == again.status_code == 201, again.text
    assert again.json() == first.json()
    assert again.headers["idempotent-replayed"] == "true"
    assert await initiatives_titled(api, title, first.json()["position"]) == [first.json()["id"]]


async def test_the_same_key_with_another_body_is_a_422_and_stores_nothing(api: Api):
    title, key = f"Other body {uuid.uuid4().hex[:8]}", str(uuid.uuid4())
    first = await propose(api, idea(title), key)
    other = await propose(api, idea(title + " changed"), key)
    assert other.status_code == 422
    assert other.headers["content-type"].startswith("application/problem+json")
    assert "first used with another request" in other.json()["detail"]
    assert await initiatives_titled(api, title, first.json()["position"]) == [first.json()["id"]]
    assert await initiatives_titled(api, title + " changed") == []


async def test_concurrent_repeats_of_one_key_store_one_initiative(api: Api):
    title, key = f"Concurrent {uuid.uuid4().hex[:8]}", str(uuid.uuid4())
    replies = await asyncio.gather(*(propose(api, idea(title), key) for _ in range(4)))
    assert {r.status_code for r in replies} <= {201, 409}, [r.text for r in replies]
    created = [r.json() for r in replies if r.status_code == 201]
    assert created and all(c["id"] == created[0]["id"] for c in created)
    assert await initiatives_titled(api, title, created[0]["position"]) == [created[0]["id"]]


async def test_a_retry_the_api_forgot_is_answered_by_the_stage_services_record(
    api: Api, settings: Settings
):
    title, key = f"Forgotten {uuid.uuid4().hex[:8]}", str(uuid.uuid4())
    first = await propose(api, idea(title), key)
    conn = await connect(settings.database_url)
    try:
        await conn.execute("DELETE FROM api.idempotency WHERE scope_key = $1", f"contributor:{key}")
    finally:
        await conn.close()
    again = await propose(api, idea(title), key)
    assert again.status_code == 201 and "idempotent-replayed" not in again.headers
    assert again.json()["id"] == first.json()["id"]
    assert await initiatives_titled(api, title, again.json()["position"]) == [first.json()["id"]]


@contextlib.asynccontextmanager
async def locked(database_url: str, table: str) -> AsyncIterator[None]:
    """The table locked against every reader and writer until the block ends."""
    conn = await connect(database_url)
    transaction = conn.transaction()
    await transaction.start()
    try:
        await conn.execute(f"LOCK TABLE {table} IN ACCESS EXCLUSIVE MODE")
        yield
    finally:
        await transaction.rollback()
        await conn.close()


async def landed(api: Api, title: str, within: float = 20) -> str:
    deadline = time.monotonic() + within
    while not (found := await initiatives_titled(api, title)):
        assert time.monotonic() < deadline, f"{title!r} never landed"
        await asyncio.sleep(0.1)
    assert len(found) == 1, found
    return found[0]


async def test_the_first_attempt_times_out_the_retry_with_the_same_key_creates_exactly_one(
    api: Api, settings: Settings
):
    title, key = f"Timed out {uuid.uuid4().hex[:8]}", str(uuid.uuid4())
    async with locked(settings.database_url, "ideation.events"):
        started = time.monotonic()
        first = await propose(api, idea(title), key)
        assert time.monotonic() - started < LOCK_HELD
        assert first.status_code == 503, first.text
        detail = first.json()["detail"]
        assert "may still have been applied" in detail, detail
        assert "same Idempotency-Key is safe" in detail, detail
        await asyncio.sleep(LOCK_HELD - (time.monotonic() - started))
    iid = await landed(api, title)
    retry = await propose(api, idea(title), key)
    assert retry.status_code == 201, retry.text
    assert retry.json()["id"] == iid
    assert await initiatives_titled(api, title, retry.json()["position"]) == [iid]
