"""The pages' test site: every stage service and the projection as real processes, the
whole app (API + pages) in the Litestar test client, and one user per role.

Imported by the test_pages* modules; holds no tests itself.
"""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from html import unescape
from typing import Any

import httpx
import pytest_asyncio
from litestar.testing import AsyncTestClient

from api import sessions
from api.auth import SESSION_COOKIE
from api.users import User
from infra.db import connect, create_pool
from infra.settings import Settings
from tests.accounts import ensure_user
from tests.stack import start_stack
from web.app import create_web_app

PASSWORD = "correct horse battery"
USERS = {
    "olivia": ("owner", "person"), "carlos": ("contributor", "person"),
    "vera": ("viewer", "person"), "clara": ("committee", "person"),
    "conrad": ("committee", "person"), "bot": ("committee", "agent"),
}  # fmt: skip
SERVICES = ["ideation", "poc", "pilot", "mvp", "agents", "projection"]  # agents: screening
IDEA = {
    "title": "Invoice triage", "problem_statement": "Invoices are routed by hand.",
    "business_goal": "Halve routing time.", "sponsor": "CFO", "owner": "olivia",
    "team": "ana, ben", "ai_category": "classification", "tags": "finance",
}  # fmt: skip


class Site:
    """The test client speaking as one user at a time (a session cookie of theirs)."""

    def __init__(self, client: AsyncTestClient[Any], settings: Settings,
                 users: dict[str, User]) -> None:  # fmt: skip
        self.client, self.settings, self.users = client, settings, users
        self.csrf = ""

    async def as_(self, name: str | None) -> Site:
        self.client.cookies.clear()
        await self.client.get("/signin")
        self.csrf = self.client.cookies.get("csrftoken") or ""
        if name is not None:
            limits = sessions.Limits.of(self.settings)
            conn = await connect(self.settings.database_url)
            try:
                user_id = self.users[name].user_id
                value = await sessions.start(conn, user_id, limits, datetime.now(UTC))
            finally:
                await conn.close()
            self.client.cookies.set(SESSION_COOKIE, value)
        return self

    async def get(self, path: str, htmx: bool = False, **params: Any) -> httpx.Response:
        headers = {"HX-Request": "true"} if htmx else {}
        return await self.client.get(path, params=params, headers=headers)

    async def post(self, path: str, data: dict[str, str] | None = None, *, htmx: bool = True,
                   csrf: bool = True) -> httpx.Response:  # fmt: skip
        headers = {"HX-Request": "true"} if htmx else {}
        if csrf:
            headers["x-csrftoken"] = self.csrf
        return await self.client.post(
            path, data=data or {}, headers=headers, follow_redirects=False
        )

    async def propose(self, **changes: str) -> str:
        r = await self.post("/propose", {**IDEA, **changes}, htmx=False)
        assert r.status_code == 303, r.text
        return str(r.headers["location"]).rsplit("/", 1)[-1]

    async def work(self, iid: str, key: str, data: dict[str, str]) -> httpx.Response:
        r = await self.post(f"/initiatives/{iid}/forms/{key}", data)
        assert r.status_code == 200, r.text
        assert "flash-success" in r.text, errors(r.text) or r.text
        return r

    async def opened(self, iid: str, stage: str, within: float = 20) -> str:
        """The initiative page once the stage's service opened it (a handoff is async)."""
        deadline = time.monotonic() + within
        while True:
            page = (await self.get(f"/initiatives/{iid}")).text
            if f'data-type="io.tollgate.{stage}.{stage}_opened.v1"' in page:
                return page
            assert time.monotonic() < deadline, f"{stage} never opened for {iid}"
            await asyncio.sleep(0.1)


def errors(html: str) -> dict[str, str]:
    """Field id -> error message, as shown next to each field."""
    found = re.findall(r'<p class="field-error" id="([\w.:-]+)-error">([^<]*)</p>', html)
    return {k: unescape(v) for k, v in found}


def flashes(html: str) -> list[str]:
    return [unescape(f) for f in re.findall(r'<p class="flash flash-\w+"[^>]*>([^<]*)', html)]


async def make_users(settings: Settings) -> dict[str, User]:
    pool = await create_pool(settings.database_url, max_size=2)
    try:
        return {n: (await ensure_user(pool, n, role, kind, PASSWORD))[0]
                for n, (role, kind) in USERS.items()}  # fmt: skip
    finally:
        await pool.close()


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def site(settings: Settings) -> AsyncIterator[Site]:
    stack = await start_stack(settings, SERVICES)
    try:
        users = await make_users(settings)
        async with AsyncTestClient(app=create_web_app(settings)) as client:
            yield Site(client, settings, users)
    finally:
        await stack.stop_all()
