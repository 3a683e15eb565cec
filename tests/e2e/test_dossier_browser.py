"""The dossier in real headless Chromium, at desktop and phone width: an initiative taken into
the MVP over HTTP (every service a real process) shows every stage record, a record's
history link filters the timeline, and nothing scrolls sideways on a phone.

Screenshots: tests/artifacts/dossier.png (desktop) and dossier-phone.png.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
import pytest_asyncio
from playwright.async_api import Browser, expect

from infra.db import create_pool
from infra.settings import Settings
from tests.accounts import ensure_user
from tests.e2e.test_browser import ARTIFACTS, PASSWORD
from tests.integration.web.dossier_journey import to_the_mvp
from tests.stack import Stack, start_stack

pytestmark = pytest.mark.asyncio(loop_scope="session")
ROLES = {
    "olivia": "owner",
    "carlos": "contributor",
    "vera": "viewer",
    "clara": "committee",
    "conrad": "committee",
}


class Http:
    """The running API with each user's bearer token."""

    def __init__(self, url: str, tokens: dict[str, str]) -> None:
        self.http = httpx.AsyncClient(base_url=f"{url}/api/v1", timeout=30)
        self.tokens = tokens

    async def do(self, path: str, who: str, body: Any = None) -> Any:
        auth = {"Authorization": f"Bearer {self.tokens[who]}"}
        r = await self.http.post(path, json=body if body is not None else {}, headers=auth)
        assert r.status_code in (200, 201), f"{path}: {r.status_code} {r.text}"
        return r.json()

    async def opened(self, iid: str, stage: str, within: float = 20) -> None:
        deadline, auth = (
            time.monotonic() + within,
            {"Authorization": f"Bearer {self.tokens['vera']}"},
        )
        while True:
            r = await self.http.get(
                f"/initiatives/{iid}/events", params={"type": f"{stage}_opened"}, headers=auth
            )
            if r.status_code == 200 and r.json():
                return
            assert time.monotonic() < deadline, f"{stage} never opened"
            await asyncio.sleep(0.1)


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def journey(settings: Settings) -> AsyncIterator[tuple[Stack, str]]:
    stack = await start_stack(settings)
    pool = await create_pool(settings.database_url, max_size=2)
    try:
        tokens = {
            n: (await ensure_user(pool, n, r, "person", PASSWORD))[1] for n, r in ROLES.items()
        }
        http = Http(stack.url, tokens)
        iid, last = await to_the_mvp(http)
        auth = {"Authorization": f"Bearer {tokens['vera']}"}  # the pages take no min_position
        params = {"min_position": last["position"]}
        await http.http.get(f"/initiatives/{iid}", params=params, headers=auth)
        await http.http.aclose()
        yield stack, iid
    finally:
        await pool.close()
        await stack.stop_all()


async def test_the_dossier_reads_at_desktop_and_phone_width(
    journey: tuple[Stack, str], browser: Browser
):
    stack, iid = journey
    ARTIFACTS.mkdir(exist_ok=True)
    context = await browser.new_context(base_url=stack.url, viewport={"width": 1400, "height": 900})
    page = await context.new_page()
    await page.goto("/signin")
    await page.get_by_label("Name").fill("vera")
    await page.get_by_label("Password").fill(PASSWORD)
    await page.get_by_role("button", name="Sign in").click()
    await page.goto(f"/initiatives/{iid}")
    dossier = page.locator("#dossier")
    for heading in (
        "Workshops",
        "Hypotheses and results",
        "KPIs",
        "Human oversight",
        "Incidents",
        "Document register",
        "Release checklist",
    ):
        await expect(dossier.get_by_role("heading", name=heading)).to_be_visible()
    await expect(page.locator("#record-documents")).to_contain_text("https://wiki/runbook/olivia")
    await page.screenshot(path=str(ARTIFACTS / "dossier.png"), full_page=True)

    await page.set_viewport_size({"width": 390, "height": 844})
    overflow = await page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"the dossier scrolls sideways by {overflow}px"
    await page.screenshot(path=str(ARTIFACTS / "dossier-phone.png"), full_page=True)

    await page.locator("#record-incidents").get_by_role("link", name="History").click()
    events = page.locator("ol.timeline > li")
    await expect(events).to_have_count(2)
    await expect(events.first).to_contain_text("Incident “Setpoint overshoot” resolved")
    await context.close()
