"""EU AI Act obligations in real headless Chromium, on part of the demo portfolio seeded
through the real commands (with the HR pilot's obligations, launch/demo_obligations.py):
the dossier lists each obligation with its article, status, evidence, dates and the serious
incidents' report deadlines, one overdue; its form records a status (met without evidence is
refused in words); the board card and the owner's inbox show the overdue report; the AI
register lists the systems in pilot, MVP and production, never ideas or PoCs.

Screenshots: tests/artifacts/obligations.png, obligations-phone.png, ai-register.png and
ai-register-phone.png.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
import pytest_asyncio
from playwright.async_api import Browser, expect

from infra.db import create_pool
from infra.settings import Settings
from launch import demo_obligations
from services.projection import queries
from tests.accounts import ensure_user
from tests.e2e.demo_seed import seed_demo
from tests.e2e.test_browser import ARTIFACTS, PASSWORD, signed_in
from tests.e2e.test_value_browser import PHONE, no_sideways_scroll
from tests.stack import Stack, start_stack

pytestmark = pytest.mark.asyncio(loop_scope="session")
SOME = {
    "HR candidate screening": "demo-04",  # pilot, high risk, the obligations story
    "Customer-service assistant": "demo-01",  # launched, limited
    "Demand forecasting": "demo-03",  # MVP, minimal
    "Sales email drafting": "demo-08",  # PoC: not in the register
    "Meeting minutes": "demo-12",  # ideation: not in the register
}
DESKTOP = {"width": 1280, "height": 900}


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def stack(settings: Settings) -> AsyncIterator[Stack]:
    stack = await start_stack(settings)
    pool = await create_pool(settings.database_url, max_size=2)
    try:
        await ensure_user(pool, "carlos", "contributor", "person", PASSWORD)
        await ensure_user(pool, "olivia", "owner", "person", PASSWORD)
        position = await seed_demo(settings, SOME, demo_obligations.seed)
        await queries.wait_for_position(pool, position, timeout=30)
        yield stack
    finally:
        await pool.close()
        await stack.stop_all()


async def test_the_dossier_lists_the_obligations_and_records_a_status(
    stack: Stack, browser: Browser
) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    context, page = await signed_in(browser, stack.url, "carlos")
    card = page.locator("#card-demo-04")
    await expect(card.locator(".ob-card")).to_have_text("1 obligation overdue")
    await page.set_viewport_size(DESKTOP)
    await page.goto("/initiatives/demo-04")
    section = page.locator("#obligations")
    await expect(section.locator("#ob-role")).to_have_text("provider")
    await expect(section.locator("#obligations-overdue")).to_have_text("1 overdue")
    late = section.locator("#obligation-serious_incident-demo-serious-1")
    await expect(late).to_contain_text("Applicant's health data used in a ranking")
    await expect(late).to_contain_text("overdue")
    await expect(late).to_contain_text("no later than 15 days after awareness")
    literacy = section.locator("#obligation-ai_literacy")
    await expect(literacy).to_contain_text("AI literacy course for all recruiters")
    await expect(section.locator("#obligation-tech_doc")).to_contain_text("11 + Annex IV")

    form = page.locator("#form-obligation-status")
    await form.get_by_label("Obligation", exact=True).select_option("pmm")
    await form.get_by_label("Status", exact=True).select_option("met")
    await form.get_by_role("button", name="Record the status").click()
    await expect(form.locator(".flash-error")).to_contain_text("needs its evidence")
    await form.get_by_label("Obligation", exact=True).select_option("pmm")
    await form.get_by_label("Status", exact=True).select_option("in_progress")
    await form.get_by_label("Evidence").fill("Monitoring plan drafted with QA")
    await form.get_by_role("button", name="Record the status").click()
    await expect(form.locator(".flash-success")).to_be_visible()
    await page.reload()
    pmm = page.locator("#obligation-pmm")
    await expect(pmm).to_contain_text("in progress")
    await expect(pmm).to_contain_text("Monitoring plan drafted with QA")

    await section.scroll_into_view_if_needed()
    await section.screenshot(path=str(ARTIFACTS / "obligations.png"))
    then = (datetime.now(UTC) - timedelta(days=17)).strftime("%Y-%m-%dT%H:%M")
    await page.goto(f"/initiatives/demo-04?as_of={then}")  # before the serious incidents
    await expect(page.locator("#obligations")).to_be_visible()
    await expect(page.locator("#obligation-serious_incident-demo-serious-1")).to_have_count(0)
    await expect(page.locator("#obligation-ai_literacy")).to_contain_text("met")  # on day 19
    await expect(page.locator("#obligation-tech_doc")).to_contain_text("open")  # on day 13
    await page.goto("/initiatives/demo-04")
    await page.set_viewport_size(PHONE)
    await no_sideways_scroll(page)
    await section.screenshot(path=str(ARTIFACTS / "obligations-phone.png"))
    await context.close()

    context, page = await signed_in(browser, stack.url, "olivia")  # on the pilot's team
    await page.goto("/inbox")
    item = page.locator(".inbox-item.kind-obligation", has_text="health data")
    await expect(item).to_contain_text("Overdue since")
    await expect(item).to_contain_text("Art. 73(2)")
    await context.close()


async def test_the_ai_register_lists_the_systems_in_use(stack: Stack, browser: Browser) -> None:
    context, page = await signed_in(browser, stack.url, "carlos")
    await page.set_viewport_size(DESKTOP)
    await page.get_by_role("link", name="AI register").click()
    await expect(page.get_by_role("heading", name="AI register")).to_be_visible()
    rows = page.locator(".register-table tbody tr")
    await expect(page.locator("#register-demo-04")).to_be_visible()
    shown = await rows.evaluate_all("rows => rows.map(r => r.id.replace('register-', ''))")
    assert set(shown) & set(SOME.values()) == {"demo-04", "demo-01", "demo-03"}, shown
    hr = page.locator("#register-demo-04")
    await expect(hr).to_contain_text("high")
    await expect(hr).to_contain_text("provider")
    await expect(hr).to_contain_text("1 overdue")
    await hr.locator("summary").click()
    await expect(hr.locator(".register-open")).to_contain_text("Technical documentation")
    await page.screenshot(path=str(ARTIFACTS / "ai-register.png"), full_page=True)
    await page.set_viewport_size(PHONE)
    await no_sideways_scroll(page)
    await page.screenshot(path=str(ARTIFACTS / "ai-register-phone.png"), full_page=True)
    await context.close()
