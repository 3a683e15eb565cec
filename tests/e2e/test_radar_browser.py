"""The trend radar in real headless Chromium, against every service as a real process and
the real demo seed (its portfolio and its radar): a committee member opens a dot and sees
the trend's initiatives and ring history, moves a trend with a rationale, sees last
quarter's radar with the old ring, goes from an initiative's dossier to its trends, and
reads it all as a list on a phone.
Screenshots: tests/artifacts/radar.png and radar-phone.png."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
import pytest_asyncio
from playwright.async_api import Browser, Page, expect

from infra.db import create_pool
from infra.settings import Settings
from launch.demo import seed
from launch.demo_trends import TRENDS
from tests.accounts import ensure_user
from tests.e2e.test_browser import ARTIFACTS, PASSWORD
from tests.stack import Stack, start_stack

pytestmark = pytest.mark.asyncio(loop_scope="session")
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def stack(settings: Settings) -> AsyncIterator[Stack]:
    stack = await start_stack(settings)
    pool = await create_pool(settings.database_url, max_size=4)
    try:
        for name, role in (("clara", "committee"), ("vera", "viewer")):
            await ensure_user(pool, name, role, "person", PASSWORD)
        await seed(settings, pool)  # the demo portfolio and its radar, as `tollgate up` does
        yield stack
    finally:
        await pool.close()
        await stack.stop_all()


async def sign_in(browser: Browser, url: str, name: str, viewport: dict[str, int]) -> Page:
    context = await browser.new_context(base_url=url, viewport=viewport)  # type: ignore[arg-type]
    page = await context.new_page()
    await page.goto("/signin?next=/radar")
    await page.get_by_label("Name").fill(name)
    await page.get_by_label("Password").fill(PASSWORD)
    await page.get_by_role("button", name="Sign in").click()
    await expect(page.get_by_role("heading", name="Trend radar", exact=True)).to_be_visible()
    return page


async def test_the_committee_opens_moves_and_looks_back_on_the_radar(
    stack: Stack, browser: Browser
):
    page = await sign_in(browser, stack.url, "clara", DESKTOP)
    assert await page.locator(".radar-svg a.dot-link").count() >= len(TRENDS)
    assert await page.locator(".trend-table tbody tr").count() >= len(TRENDS)
    await (
        page.locator(".radar-svg a.dot-link", has_text="")
        .filter(has=page.locator("title", has_text="Retrieval-augmented generation tooling"))
        .click()
    )
    panel = page.locator("#trend-panel")
    await expect(panel.get_by_role("heading", level=2)).to_contain_text("Retrieval-augmented")
    await expect(panel.get_by_role("link", name="Knowledge search")).to_be_visible()
    await expect(panel.locator(".ring-history")).to_contain_text("Trial → adopt")
    await expect(page).to_have_url(f"{stack.url}/radar/trends/rag-tooling")
    moved = page.locator(".trend-table tr", has_text="Vector databases")  # this quarter
    await expect(moved.locator(".moved-note")).to_have_text("moved")
    assert await page.locator(".radar-svg .moved-ring").count() >= 4  # and earlier ones
    ARTIFACTS.mkdir(exist_ok=True)
    await page.screenshot(path=str(ARTIFACTS / "radar.png"), full_page=True)

    await page.goto("/radar/trends/gpai-duties")
    form = page.locator("#form-move-trend")
    await form.get_by_label("New ring").select_option("trial")
    await form.get_by_role("button", name="Move").click()
    await expect(form.locator(".field-error")).to_have_text("Enter the rationale")
    await form.get_by_label("Rationale").fill("Two suppliers sent their Art. 53 documentation.")
    await form.get_by_role("button", name="Move").click()
    await expect(page.locator("#trend-panel .ring-history")).to_contain_text("Assess → trial")
    row = page.locator(".trend-table tr", has_text="GPAI provider duties")
    await expect(row).to_contain_text("trial")

    add = page.locator("#form-add-trend")
    await add.get_by_label("Name").fill("Synthetic training data")
    await add.get_by_label("What it is and why it matters").fill("Generated data for rare cases.")
    for label, value in (("Quadrant", "tools"), ("Ring", "assess"), ("Maturity", "emerging")):
        await add.get_by_label(label).select_option(value)
    await add.get_by_label("Risks").fill("bias copied from the generator, leakage")
    await add.get_by_role("button", name="Add to the radar").click()
    panel = page.locator("#trend-panel")
    await expect(panel.get_by_role("heading", level=2)).to_contain_text("Synthetic training data")
    await expect(panel).to_contain_text("bias copied from the generator; leakage")
    await expect(page.locator(".radar-svg a.dot-link")).to_have_count(len(TRENDS) + 1)

    await page.get_by_role("link", name="Last quarter").click()
    await expect(page.locator(".flash-info")).to_contain_text("The radar as it stood")
    small = page.locator(".trend-table tr", has_text="Small open-weight models")
    await expect(small).to_contain_text("trial")  # moved to adopt only this quarter
    await expect(page.locator(".trend-table")).not_to_contain_text("Digital Omnibus")
    await expect(page.locator("#form-add-trend")).to_have_count(0)  # the past is read-only

    await page.goto("/initiatives/demo-13")  # Knowledge search: its dossier names its trends
    section = page.locator("#initiative-trends")
    await expect(section.get_by_role("link", name="Vector databases")).to_be_visible()
    await section.get_by_role("link", name="Retrieval-augmented generation tooling").click()
    await expect(page.locator("#trend-panel")).to_contain_text("Knowledge search")


async def test_a_viewer_reads_the_radar_on_a_phone(stack: Stack, browser: Browser):
    page = await sign_in(browser, stack.url, "vera", PHONE)
    await expect(page.locator("#form-add-trend")).to_have_count(0)
    width = await page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the page scrolls sideways on a phone ({width}px)"
    await page.get_by_role("link", name="Vector databases", exact=True).click()
    await expect(page.locator("#trend-panel")).to_contain_text("pgvector")
    await expect(page.locator("#form-move-trend")).to_have_count(0)
    await page.screenshot(path=str(ARTIFACTS / "radar-phone.png"), full_page=True)
    await page.goto("/radar?as_of=yesterday")
    await expect(page.locator(".flash-warning")).to_contain_text("'yesterday' is not a date")
    assert (await page.goto("/radar/trends/no-such-trend")).status == 404  # type: ignore[union-attr]
