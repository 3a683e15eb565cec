"""The whole stack as real processes plus one user per role, for the HTTP API tests."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest_asyncio

from infra.db import create_pool
from infra.settings import Settings
from tests.accounts import ensure_user
from tests.stack import Stack, start_stack

# name -> (role, kind)
USERS = {
    "viewer": ("viewer", "person"),
    "contributor": ("contributor", "person"),
    "owner": ("owner", "person"),
    "committee": ("committee", "person"),
    "committee2": ("committee", "person"),
    "admin": ("admin", "person"),
    "agent": ("contributor", "agent"),
    "agent_committee": ("committee", "agent"),
}


class Api:
    """An HTTP client that speaks as one of USERS (or as nobody: who=None)."""

    def __init__(self, stack: Stack, tokens: dict[str, str]) -> None:
        self.stack = stack
        self.url = stack.url
        self.tokens = tokens
        self.http = httpx.AsyncClient(base_url=f"{stack.url}/api/v1", timeout=30)

    def headers(self, who: str | None) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[who]}"} if who else {}

    async def post(self, path: str, who: str | None, body: Any = None, **kw: Any) -> httpx.Response:
        if body is not None:
            kw["json"] = body
        return await self.http.post(path, headers=self.headers(who), **kw)

    async def get(self, path: str, who: str | None = "viewer", **params: Any) -> httpx.Response:
        return await self.http.get(path, headers=self.headers(who), params=params)

    async def delete(self, path: str, who: str | None) -> httpx.Response:
        return await self.http.delete(path, headers=self.headers(who))

    async def ok(self, path: str, who: str, body: Any = None) -> dict[str, Any]:
        """POST that must succeed; returns the JSON reply."""
        response = await self.post(path, who, body if body is not None else {})
        assert response.status_code in (200, 201), f"{path}: {response.status_code} {response.text}"
        reply: dict[str, Any] = response.json()
        return reply

    async def state(self, initiative_id: str, position: int | None) -> dict[str, Any]:
        """The initiative as the read models show it once they applied `position`."""
        params = {"min_position": position} if position else {}
        response = await self.get(f"/initiatives/{initiative_id}", **params)
        assert response.status_code == 200, response.text
        detail: dict[str, Any] = response.json()
        return detail


async def make_users(settings: Settings) -> dict[str, str]:
    pool = await create_pool(settings.database_url_for("api"), max_size=2)
    try:
        return {name: (await ensure_user(pool, name, role, kind))[1]
                for name, (role, kind) in USERS.items()}  # fmt: skip
    finally:
        await pool.close()


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def api(settings: Settings) -> AsyncIterator[Api]:
    stack = await start_stack(settings)
    client = Api(stack, await make_users(settings))
    try:
        yield client
    finally:
        await client.http.aclose()
        await stack.stop_all()
