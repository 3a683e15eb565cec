"""What every browser test shares: Debian's Chromium, driven by Playwright, and a database
and stream of each test module's own (several modules seed the same demo initiatives: in a
shared store the second would find them already past the gates the first took them
through)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import pytest_asyncio
from playwright.async_api import Browser, async_playwright

from infra.db import connect
from infra.settings import Settings
from tests.integration.bus import drop_stream

CHROMIUM = "/usr/bin/chromium"  # Debian's package: Playwright's own download is not reachable
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run", "--disable-sync"]  # fmt: skip


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def settings(pg_server_url: str, nats_url: str) -> AsyncIterator[Settings]:
    """A database, stream and subject root of this module's own, removed after it."""
    tag = uuid.uuid4().hex[:8]
    name = f"tollgate_e2e_{tag}"
    admin = await connect(pg_server_url)
    await admin.execute(f"CREATE DATABASE {name}")
    base, _, query = pg_server_url.partition("?")
    url = base.rsplit("/", 1)[0] + f"/{name}" + (f"?{query}" if query else "")
    try:
        yield Settings(database_url=url, nats_url=nats_url, stream=f"TG_E2E_{tag}",
                       subject_root=f"tge2e{tag}", demo=False)  # fmt: skip
    finally:
        await admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        await admin.close()
        await drop_stream(nats_url, f"TG_E2E_{tag}")


@pytest_asyncio.fixture(loop_scope="session")
async def browser() -> AsyncIterator[Browser]:
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield browser
        await browser.close()
