"""Users for tests: the session's database is shared by every test module, so a module
asking for a user another one made gets that user, brought to the role and password it
asks for, and active, with a fresh token. (Tollgate itself never resets a user: see
api.users.)"""

from __future__ import annotations

import asyncio
import contextlib
import sys
import time

import httpx

from api.users import User, UserExists, add_user, issue_token, set_password, update_user
from infra.db import Pool
from infra.migrations import migrate_all
from infra.settings import Settings
from tests.stack import LIVE, Stack


async def ensure_user(
    pool: Pool, name: str, role: str, kind: str = "person", password: str | None = None
) -> tuple[User, str]:
    """The user and a new API token."""
    try:
        user, issued = await add_user(pool, name, role, kind, password, token_name="test")
    except UserExists:
        await update_user(pool, name, role=role, active=True)
        if password is not None:
            await set_password(pool, name, password)
        issued = await issue_token(pool, name, "test", 90)
        row = await pool.fetchrow(
            "SELECT user_id::text, name, role, kind FROM api.users WHERE name = $1", name
        )
        user = User(**dict(row))
    return user, issued.token


async def api_only(settings: Settings) -> Stack:
    """The API alone as a real process (its /health stays 503 without the stage services, so
    it is ready once it answers at all): enough for accounts, tokens and the profile page."""
    await migrate_all(settings.database_url)
    stack = Stack(settings)
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "launch.cli", "service", "api", env=stack.env()
    )
    stack.procs["api"], deadline = proc, time.monotonic() + 30
    LIVE.add(proc)
    async with httpx.AsyncClient(base_url=stack.url) as client:
        while True:
            assert proc.returncode is None, f"the api exited with {proc.returncode}"
            assert time.monotonic() < deadline, "the api did not answer within 30 s"
            with contextlib.suppress(httpx.HTTPError):
                await client.get("/health", timeout=1)
                return stack
            await asyncio.sleep(0.1)
