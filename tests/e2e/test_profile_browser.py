"""The profile page in real headless Chromium: from the header to your tokens, a new token
shown once, revoked with one click (and then refused by the API); it fits a phone."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
import pytest_asyncio
from playwright.async_api import Browser, expect

from infra.db import create_pool
from infra.settings import Settings
from tests.accounts import api_only, ensure_user
from tests.e2e.test_browser import ARTIFACTS, PASSWORD, signed_in
from tests.stack import Stack

pytestmark = pytest.mark.asyncio(loop_scope="session")


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def api(settings: Settings) -> AsyncIterator[Stack]:
    stack = await api_only(settings)
    pool = await create_pool(settings.database_url, max_size=1)
    try:
        await ensure_user(pool, "petra", "contributor", "person", PASSWORD)
        yield stack
    finally:
        await pool.close()
        await stack.stop_all()


async def test_a_user_makes_and_revokes_a_token_on_their_profile(api: Stack, browser: Browser):
    _, page = await signed_in(browser, api.url, "petra")
    await page.get_by_role("link", name="Profile").click()
    await expect(page.get_by_role("heading", name="Your profile")).to_be_visible()
    await page.get_by_label("What it is for").fill("browser-made")
    await page.get_by_label("Valid for (days)").fill("14")
    await page.get_by_role("button", name="Create token").click()
    token = await page.locator("#new-token-value").text_content()
    assert token is not None and token.startswith("tg_")
    row = page.locator("tr", has_text="browser-made")
    await expect(row).to_contain_text("active")
    ARTIFACTS.mkdir(exist_ok=True)
    await page.screenshot(path=str(ARTIFACTS / "profile.png"), full_page=True)
    async with httpx.AsyncClient(base_url=f"{api.url}/api/v1") as http:
        bearer = {"Authorization": f"Bearer {token}"}
        assert (await http.get("/portfolio", headers=bearer)).status_code == 200
        await row.get_by_role("button", name="Revoke the token browser-made").click()
        await expect(page.get_by_role("status")).to_contain_text("The token is revoked")
        await expect(page.locator("tr", has_text="browser-made")).to_contain_text("revoked")
        assert (await http.get("/portfolio", headers=bearer)).status_code == 401
    await page.set_viewport_size({"width": 390, "height": 844})
    overflow = await page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"/profile scrolls sideways by {overflow}px"
