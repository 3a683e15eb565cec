"""The pages in real headless Chromium against every service as a real process: an owner
takes an idea to its G1 review, a committee member decides go in a second browser context,
and a board open in a third moves the card to the PoC column live, without a reload.

Screenshots of the board, the initiative page and the review queue go to tests/artifacts/.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio
from playwright.async_api import Browser, BrowserContext, Page, expect

from infra.db import create_pool
from infra.settings import Settings
from tests.accounts import ensure_user
from tests.stack import Stack, start_stack

pytestmark = pytest.mark.asyncio(loop_scope="session")
ARTIFACTS = Path(__file__).resolve().parent.parent / "artifacts"
PASSWORD = "tollgate-e2e"
LIVE = 20_000  # ms: a handoff between services plus the SSE round trip


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def stack(settings: Settings) -> AsyncIterator[Stack]:
    stack = await start_stack(settings)
    pool = await create_pool(settings.database_url, max_size=2)
    try:
        for name, role in (("olivia", "owner"), ("clara", "committee"), ("vera", "viewer")):
            await ensure_user(pool, name, role, "person", PASSWORD)
        yield stack
    finally:
        await pool.close()
        await stack.stop_all()


async def signed_in(browser: Browser, url: str, name: str) -> tuple[BrowserContext, Page]:
    context = await browser.new_context(base_url=url, viewport={"width": 1400, "height": 900})
    page = await context.new_page()
    await page.goto("/")
    await expect(page).to_have_url(f"{url}/signin?next=/")
    await page.get_by_label("Name").fill(name)
    await page.get_by_label("Password").fill(PASSWORD)
    await page.get_by_role("button", name="Sign in").click()
    await expect(page.get_by_role("heading", name="Portfolio board")).to_be_visible()
    return context, page


async def record(page: Page, form: str, fields: dict[str, str], selects: dict[str, str]) -> None:
    scope = page.locator(f"#form-{form}")
    for label, value in fields.items():
        await scope.get_by_label(label, exact=True).fill(value)
    for label, value in selects.items():
        await scope.get_by_label(label, exact=True).select_option(value)
    await scope.get_by_role("button", name="Record").click()
    await expect(page.locator(f"#form-{form} .flash-success")).to_be_visible()


async def test_an_idea_passes_g1_in_the_browser_and_the_board_follows_live(
    stack: Stack, browser: Browser
):
    ARTIFACTS.mkdir(exist_ok=True)
    _, owner = await signed_in(browser, stack.url, "olivia")
    _, viewer = await signed_in(browser, stack.url, "vera")
    await viewer.evaluate("window.__sameDocument = true")

    await owner.get_by_role("link", name="Propose").click()
    await owner.get_by_label("Title").fill("Invoice triage assistant")
    await owner.get_by_label("Problem statement").fill("Invoices are routed by hand.")
    await owner.get_by_label("Business goal").fill("Halve the routing time.")
    await owner.get_by_label("Sponsor").fill("CFO")
    await owner.get_by_label("AI category").select_option("classification")
    await owner.get_by_role("button", name="Propose").click()
    await expect(owner.get_by_role("heading", name="Invoice triage assistant")).to_be_visible()
    iid = owner.url.rsplit("/", 1)[-1]

    card = viewer.locator(f"#card-{iid}")
    await expect(viewer.locator('section[data-stage="ideation"]').locator(card)).to_be_visible(
        timeout=LIVE
    )  # the proposal reached the open board live

    await record(owner, "score", {"Value": "4", "Feasibility": "4", "Risk": "2",
                                  "Strategic fit": "5"}, {})  # fmt: skip
    await record(owner, "sourcing", {"Rationale": "Core to our process"}, {"Sourcing": "build"})
    await record(owner, "risk", {"Rationale": "Assists clerks"},
                 {"EU AI Act risk class": "limited"})  # fmt: skip
    await expect(owner.get_by_text("every must-meet criterion is met")).to_be_visible()
    await owner.get_by_role("button", name="Request G1 review").click()
    # the durable outcome (a live refresh may replace the transient flash at any moment)
    await expect(
        owner.get_by_text("Waiting for the steering committee's G1 decision")
    ).to_be_visible()
    await owner.screenshot(path=str(ARTIFACTS / "initiative.png"), full_page=True)

    _, committee = await signed_in(browser, stack.url, "clara")
    await committee.get_by_role("link", name="Reviews").click()
    review = committee.locator(f"#review-{iid}")
    await expect(review).to_contain_text("No votes yet: one vote decides")
    await committee.screenshot(path=str(ARTIFACTS / "reviews.png"), full_page=True)
    await review.get_by_label("Decision").select_option("go")
    await review.get_by_label("Rationale").fill("Clear value, low risk")
    await review.get_by_role("button", name="Cast vote").click()
    await expect(review).to_have_count(0, timeout=LIVE)  # decided: it left the queue

    poc = viewer.locator('section[data-stage="poc"]')
    await expect(poc.locator(f"#card-{iid}")).to_be_visible(timeout=LIVE)
    await expect(viewer.locator('section[data-stage="ideation"]').locator(card)).to_have_count(0)
    assert await viewer.evaluate("window.__sameDocument === true")  # no reload happened
    await viewer.screenshot(path=str(ARTIFACTS / "board.png"), full_page=True)

    await expect(owner.locator("#live .badge").first).to_have_text("PoC", timeout=LIVE)
    await expect(owner.locator("#form-hypothesis")).to_be_visible(timeout=LIVE)


async def test_the_pages_fit_a_phone_width(stack: Stack, browser: Browser):
    _, page = await signed_in(browser, stack.url, "olivia")
    await page.set_viewport_size({"width": 390, "height": 844})
    for path in ("/", "/reviews", "/propose"):
        await page.goto(path)
        overflow = await page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{path} scrolls sideways by {overflow}px"
    await page.goto("/")
    await page.screenshot(path=str(ARTIFACTS / "board-phone.png"), full_page=True)
    await page.keyboard.press("Tab")
    focused = await page.evaluate("document.activeElement.textContent")
    assert focused == "Skip to content"
