"""The API process with PostgreSQL cut off or not answering: every request that needs the
database gets a 503 problem with Retry-After within seconds, and it recovers.

The API talks to PostgreSQL through a TCP proxy this test controls; nothing else runs.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import httpx
import msgspec
import nats
import pytest
import pytest_asyncio

from api import sessions
from api.auth import SESSION_COOKIE
from infra.db import create_pool
from infra.migrations import migrate_all
from infra.settings import Settings
from tests.accounts import ensure_user
from tests.integration.tcp_proxy import TcpProxy
from tests.stack import Stack

pytestmark = pytest.mark.asyncio(loop_scope="session")
FAIL_FAST = 4.0  # seconds: connect and acquire are bounded at 2 s each
IDEA = {
    "title": "Outage",
    "problem_statement": "p",
    "business_goal": "g",
    "sponsor": "s",
    "owner": "o",
}


class ApiAlone(Stack):
    """Only the API: ready once it answers /health at all (degraded without the services)."""

    async def _ready(self, nc: nats.NATS, name: str) -> bool:
        try:
            async with httpx.AsyncClient() as client:
                await client.get(f"{self.url}/health", timeout=1)
        except httpx.HTTPError:
            return False
        return True


class Outage(msgspec.Struct):
    proxy: TcpProxy
    http: httpx.AsyncClient
    token: str
    session: str


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def outage(settings: Settings) -> AsyncIterator[Outage]:
    await migrate_all(settings.database_url)
    pool = await create_pool(settings.database_url, max_size=1)
    try:
        user, token = await ensure_user(pool, "outage-admin", "admin")
        limits = sessions.Limits.of(settings)
        session = await sessions.start(pool, user.user_id, limits, datetime.now(UTC))
    finally:
        await pool.close()
    proxy, proxied_url = TcpProxy.before(settings.database_url)
    await proxy.start()
    stack = ApiAlone(msgspec.structs.replace(settings, database_url=proxied_url))
    await stack.start("api")
    http = httpx.AsyncClient(base_url=stack.url, timeout=30)
    try:
        yield Outage(proxy, http, token, session)
    finally:
        await http.aclose()
        await stack.stop_all()
        await proxy.close()


async def answers(outage: Outage) -> dict[str, httpx.Response]:
    """A read, a command, a page: each timed by the caller through `elapsed`."""
    bearer = {"Authorization": f"Bearer {outage.token}"}
    return {
        # a read not answered before: the same read answered within this second may come
        # from the API's memory (api/read_cache.py) until it hears its LISTEN is gone
        "read": await outage.http.get("/api/v1/initiatives?limit=7", headers=bearer),
        "command": await outage.http.post("/api/v1/initiatives", headers=bearer, json=IDEA),
        "page": await outage.http.get(
            "/", headers={"Cookie": f"{SESSION_COOKIE}={outage.session}"}
        ),
    }


def assert_unavailable(found: dict[str, httpx.Response]) -> None:
    for what, response in found.items():
        assert response.status_code == 503, f"{what}: {response.status_code} {response.text}"
        assert response.headers.get("retry-after") == "2", what
    for what in ("read", "command"):
        assert found[what].headers["content-type"].startswith("application/problem+json")
        problem = found[what].json()
        assert problem["status"] == 503
        assert "database is unreachable" in problem["detail"]
        assert "nothing was changed" in problem["detail"]
    assert "database cannot be reached" in found["page"].text


async def test_the_api_works_through_the_proxy(outage: Outage):
    response = await outage.http.get(
        "/api/v1/initiatives", headers={"Authorization": f"Bearer {outage.token}"}
    )
    assert response.status_code == 200, response.text


async def test_with_the_database_gone_reads_commands_and_pages_get_503_and_then_recover(
    outage: Outage,
):
    await outage.proxy.cut()  # connections reset, new ones refused
    started = time.monotonic()
    found = await answers(outage)
    assert time.monotonic() - started < FAIL_FAST * len(found)
    assert_unavailable(found)
    await outage.proxy.restore()
    response = await outage.http.get(
        "/api/v1/initiatives", headers={"Authorization": f"Bearer {outage.token}"}
    )
    assert response.status_code == 200, response.text


async def test_with_the_database_not_answering_requests_fail_fast_with_503(outage: Outage):
    await outage.proxy.stall()  # connections reset, new ones accepted and never answered
    for what, response in (await answers(outage)).items():
        assert response.elapsed.total_seconds() < FAIL_FAST, what
        assert response.status_code == 503, f"{what}: {response.status_code} {response.text}"
        assert response.headers.get("retry-after") == "2", what
    await outage.proxy.restore()
    response = await outage.http.get(
        "/api/v1/initiatives", headers={"Authorization": f"Bearer {outage.token}"}
    )
    assert response.status_code == 200, response.text
