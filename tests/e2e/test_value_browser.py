"""The portfolio's value chart and the dossier's business case in real headless Chromium, on
part of the demo portfolio (with its business cases) seeded through the real commands: one
circle per live case with its rank, legible at phone width, "as of" before the cases shows
none, and the business-case form refines the case of a pilot from the dossier page.

Screenshots: tests/artifacts/value-chart.png, value-chart-phone.png, business-case.png and
business-case-phone.png.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
import pytest_asyncio
from playwright.async_api import Browser, Page, expect

from infra.db import create_pool
from infra.settings import Settings
from launch.demo_portfolio import profiles
from services.projection import queries
from tests.accounts import ensure_user
from tests.e2e.demo_seed import seed_demo
from tests.e2e.test_browser import ARTIFACTS, PASSWORD, signed_in
from tests.e2e.test_portfolio_browser import labels_stay_inside_their_charts
from tests.stack import Stack, start_stack

pytestmark = pytest.mark.asyncio(loop_scope="session")
SOME = {
    "Customer-service assistant", "Invoice extraction", "Code assistant", "Route optimisation",
    "Demand forecasting", "Quality inspection camera", "HR candidate screening",
    "Churn prediction", "Energy optimisation of HVAC", "Sales email drafting",
    "Meeting minutes", "Knowledge search", "Fraud detection for refunds",
}  # fmt: skip
PHONE = {"width": 390, "height": 844}
HVAC = next(p for p in profiles() if p.title == "Energy optimisation of HVAC")
WIDE = """[...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right >
  window.innerWidth + 1).slice(-5).map(e => e.tagName + '.' + e.className)"""
SERVICE = next(p for p in profiles() if p.title == "Customer-service assistant")


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def stack(settings: Settings) -> AsyncIterator[Stack]:
    stack = await start_stack(settings)
    pool = await create_pool(settings.database_url, max_size=2)
    try:
        await ensure_user(pool, "carlos", "contributor", "person", PASSWORD)
        position = await seed_demo(settings, SOME)
        await queries.wait_for_position(pool, position, timeout=30)
        yield stack
    finally:
        await pool.close()
        await stack.stop_all()


async def no_sideways_scroll(page: Page) -> None:
    overflow = await page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    wide = await page.evaluate(WIDE)
    assert overflow <= 0, f"the page scrolls sideways by {overflow}px: {wide}"


async def test_the_value_chart_ranks_the_cases_and_reads_on_a_phone(stack: Stack, browser: Browser):
    ARTIFACTS.mkdir(exist_ok=True)
    context, page = await signed_in(browser, stack.url, "carlos")
    chart = page.locator("#value-chart")
    await expect(chart).to_be_visible()
    live = len(SOME) - 1  # the killed one is no point
    await expect(chart.locator("g.tg-case")).to_have_count(live)
    await expect(chart.locator(".tg-value-list li")).to_have_count(live)
    await expect(page.locator("#value-per-stage")).to_contain_text("Production")
    await expect(page.locator("#value-per-sponsor")).to_contain_text("Thomas Weber (CFO)")
    sponsors = await page.locator("#value-per-sponsor tbody th").all_inner_texts()
    assert "Thomas Weber (CFO)" in sponsors, sponsors  # a name as written, not in capitals
    sizes = await chart.locator("text").evaluate_all(
        "els => els.map(e => parseFloat(getComputedStyle(e).fontSize))"
    )
    assert min(sizes) >= 11, sizes
    await chart.scroll_into_view_if_needed()
    await labels_stay_inside_their_charts(page)
    await chart.screenshot(path=str(ARTIFACTS / "value-chart.png"))
    await page.set_viewport_size(PHONE)
    await no_sideways_scroll(page)
    await labels_stay_inside_their_charts(page)
    await chart.screenshot(path=str(ARTIFACTS / "value-chart-phone.png"))

    long_ago = (datetime.now(UTC) - timedelta(days=400)).strftime("%Y-%m-%dT%H:%M")
    await page.goto(f"/?as_of={long_ago}")
    await expect(page.locator("#value-chart")).to_have_count(0)  # no case stated back then
    await context.close()


async def test_the_dossier_shows_the_case_and_its_form_refines_it(stack: Stack, browser: Browser):
    context, page = await signed_in(browser, stack.url, "carlos")
    await page.goto(f"/initiatives/{SERVICE.initiative_id}")
    case = page.locator("#business-case")
    await expect(case.locator("#case-payback")).to_contain_text("reached on")
    await expect(case.locator(".case-history tbody tr")).to_have_count(3)
    await case.screenshot(path=str(ARTIFACTS / "business-case.png"))
    await page.set_viewport_size(PHONE)
    await no_sideways_scroll(page)
    await case.screenshot(path=str(ARTIFACTS / "business-case-phone.png"))

    await page.set_viewport_size({"width": 1280, "height": 900})
    await page.goto(f"/initiatives/{HVAC.initiative_id}")
    form = page.locator("#form-business-case")
    await form.get_by_label("Expected value per year").fill("-5")
    await form.get_by_role("button", name="Record the case").click()
    await expect(form.locator(".field-error")).to_contain_text("at least 0")
    await form.get_by_label("Expected value per year").fill("99000")
    await form.get_by_label("One-off cost").fill("40000")
    await form.get_by_label("KPI that carries the value").select_option("k1")
    await form.get_by_label("Value per unit of KPI improvement").fill("5000")
    await form.get_by_role("button", name="Record the case").click()
    await expect(page.locator("#case-expected")).to_contain_text("99k EUR")
    await expect(page.locator("#business-case .case-history tbody tr")).to_have_count(4)
    await context.close()
