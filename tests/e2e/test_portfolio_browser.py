"""The board, its charts, the committee pack and a KPI chart in real headless Chromium,
on part of the demo portfolio seeded through the real commands: sorting and "Show more" swap the
board in place, chart text keeps a readable size on a desktop and a phone, no label
overflows its bar or covers a neighbour, and nothing scrolls sideways on a phone.

Screenshots: tests/artifacts/portfolio-board.png, portfolio-board-phone.png, pack.png,
pack-phone.png, kpi-chart.png and kpi-chart-phone.png.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from itertools import pairwise
from typing import Any

import pytest
import pytest_asyncio
from msgspec.structs import replace
from playwright.async_api import Browser, Page, expect

from events import gates
from infra.bus import connect
from infra.db import create_pool
from infra.driver import Driver
from infra.settings import Settings
from launch.demo import planned
from launch.demo_portfolio import profiles
from services.journeys import CHAIR, Clock, Profile, journey, owner_of
from services.projection import queries
from tests.accounts import ensure_user
from tests.e2e.test_browser import ARTIFACTS, PASSWORD, signed_in
from tests.stack import Stack, start_stack

pytestmark = pytest.mark.asyncio(loop_scope="session")
SOME = {
    "Customer-service assistant",
    "Demand forecasting",
    "HR candidate screening",
    "Sales email drafting",
    "Credit scoring for SMEs",
    "Emotion recognition at the help desk",
    "Meeting minutes",
    "Knowledge search",
    "Churn prediction",
    "Energy optimisation of HVAC",
    "Predictive maintenance",
    "Contract clause review",
    "Fraud detection for refunds",
}
HVAC = next(p for p in profiles() if p.title == "Energy optimisation of HVAC")
PHONE = {"width": 390, "height": 844}
BACKLOG = [  # a long ideation backlog, so that its column has more cards than it shows
    "Invoice duplicate detection",
    "Supplier risk scoring",
    "Warehouse pick-path planning",
    "Call summarisation",
    "Shift scheduling assistant",
    "Price elasticity model",
    "Contract renewal reminders",
    "Returns fraud screening",
    "Product description writer",
    "Maintenance ticket triage",
    "Energy tariff optimiser",
    "CV anonymiser",
    "Customer intent routing",
    "Sales forecast by region",
    "Tender document search",
    "Fleet fuel anomaly alerts",
    "Onboarding chatbot",
    "Quality complaint clustering",
    "Payment reminder timing",
    "Spare parts demand model",
]
SCORES = [(5, 4, 2, 4), (2, 3, 3, 2), (4, 4, 1, 5), (3, 2, 4, 3), (4, 5, 2, 3), (1, 3, 3, 2)]
HOUR = timedelta(hours=1)


async def seed_some(settings: Settings) -> None:
    """A dozen of the demo's initiatives, one or two per stage and outcome, through the real
    commands at the demo's business times (the whole demo takes twice as long)."""
    nc = await connect(settings.nats_url, name="e2e-seed")
    driver = Driver(nc, settings.subjects, open_timeout=60)
    now, gate = datetime.now(UTC), asyncio.Semaphore(6)

    async def one(index: int, p: Profile) -> None:
        async with gate:
            for stage, command in planned(p, index, now):
                await driver.step(stage, command)

    try:
        await asyncio.gather(*(one(i, p) for i, p in enumerate(profiles()) if p.title in SOME))
    finally:
        await nc.drain()


async def review_hvac(settings: Settings) -> int:
    """The HVAC pilot asks for its G3 review and the chair votes go (one of two votes); and
    the BACKLOG of ideas, so that the ideation column has more cards than it shows at first."""
    nc = await connect(settings.nats_url, name="e2e-pack")
    driver = Driver(nc, settings.subjects)
    now = datetime.now(UTC)
    try:
        for n, title in enumerate(BACKLOG):
            idea = replace(
                HVAC,
                initiative_id=f"e2e-idea-{n:02d}",
                title=title,
                outcome="ideation",
                scores=SCORES[n % len(SCORES)],
                unfinished=n % 5,
            )
            for stage, command in journey(idea, Clock(now - timedelta(days=2 * n + 1), HOUR)):
                await driver.step(stage, command)
        await driver.step(
            "pilot",
            gates.RequestGateReview(
                initiative_id=HVAC.initiative_id, at=now - timedelta(hours=3), actor=owner_of(HVAC)
            ),
        )
        reply = await driver.step(
            "pilot",
            gates.DecideGate(
                initiative_id=HVAC.initiative_id,
                at=now - timedelta(hours=1),
                actor=CHAIR,
                vote_id="e2e-v1",
                decision="go",
                rationale="Energy use is below target for three months running",
            ),
        )
        return reply.position or 0
    finally:
        await nc.drain()


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def stack(settings: Settings) -> AsyncIterator[Stack]:
    stack = await start_stack(settings)
    pool = await create_pool(settings.database_url, max_size=4)
    try:
        for name, role in (("olivia", "owner"), ("clara", "committee"), ("vera", "viewer")):
            await ensure_user(pool, name, role, "person", PASSWORD)
        await seed_some(settings)
        assert await queries.wait_for_position(pool, await review_hvac(settings), 30)
        yield stack
    finally:
        await pool.close()
        await stack.stop_all()


FONT_SIZES = "els => els.map(e => getComputedStyle(e).fontSize)"
BOXES = "els => els.map(e => { const b = e.getBoundingClientRect(); return [b.left, b.right]; })"


async def chart_text_sizes(page: Page) -> set[str]:
    return set(await page.locator(".tg-chart text").evaluate_all(FONT_SIZES))


async def sideways(page: Page) -> int:
    return int(await page.evaluate("document.documentElement.scrollWidth - window.innerWidth"))


async def labels_stay_inside_their_charts(page: Page) -> None:
    """Every chart text lies within its own chart's box (nothing overflows a bar or edge),
    and a KPI chart's date labels do not touch one another."""
    inside = await page.locator(".tg-chart").evaluate_all("""charts => charts.every(c => {
        const box = c.getBoundingClientRect();
        return [...c.querySelectorAll('text')].every(t => {
            const b = t.getBoundingClientRect();
            return b.left >= box.left - 1 && b.right <= box.right + 1;
        });
    })""")
    assert inside
    for chart in await page.locator(".tg-line-chart").all():
        spans = await chart.locator("text.tg-date").evaluate_all(BOXES)
        assert all(a[1] <= b[0] for a, b in pairwise(spans)), spans


async def test_the_board_sorts_and_pages_in_place_with_readable_charts(
    stack: Stack, browser: Browser
):
    ARTIFACTS.mkdir(exist_ok=True)
    _, page = await signed_in(browser, stack.url, "vera")
    await page.evaluate("window.__sameDocument = true")
    await page.get_by_label("Sort by").select_option("priority")
    await expect(page.get_by_text("sorted by priority")).to_be_visible()
    assert "sort=priority" in page.url
    priorities = await page.locator('section[data-stage="ideation"] .priority').all_inner_texts()
    ranked = [float(p.split()[-1]) for p in priorities]
    assert ranked == sorted(ranked, reverse=True) and len(set(ranked)) > 1
    export = await page.locator("#export-csv").get_attribute("href") or ""
    assert "sort=priority" in export and "format=csv" in export
    assert await chart_text_sizes(page) <= {"11px", "12px"}
    await labels_stay_inside_their_charts(page)
    assert await page.evaluate("window.__sameDocument === true")  # swapped, not reloaded
    await page.screenshot(path=str(ARTIFACTS / "portfolio-board.png"), full_page=True)

    await page.set_viewport_size(PHONE)
    await page.reload()
    assert await sideways(page) <= 0
    assert await chart_text_sizes(page) <= {"11px", "12px"}
    await labels_stay_inside_their_charts(page)
    await page.screenshot(path=str(ARTIFACTS / "portfolio-board-phone.png"), full_page=True)


async def test_show_more_adds_cards_to_one_column_in_place(stack: Stack, browser: Browser):
    _, page = await signed_in(browser, stack.url, "vera")
    await page.evaluate("window.__sameDocument = true")
    ideation = page.locator('section[data-stage="ideation"]')
    await expect(ideation.locator(".card")).to_have_count(20)
    total = int(await ideation.locator(".count").inner_text())
    assert total > 20
    await ideation.get_by_role("link", name="Show more").click()
    await expect(ideation.locator(".card")).to_have_count(total)
    assert "show_ideation=40" in page.url and await ideation.get_by_text("Show more").count() == 0
    assert await page.evaluate("window.__sameDocument === true")


async def kpi_figure(page: Page) -> Any:
    figure = page.locator("#kpi-k1")
    await expect(figure.locator(".tg-line-chart")).to_be_visible()
    return figure


async def test_the_kpi_chart_has_date_ticks_a_legend_and_a_table_at_every_width(
    stack: Stack, browser: Browser
):
    _, page = await signed_in(browser, stack.url, "vera")
    await page.goto(f"/initiatives/{HVAC.initiative_id}")
    figure = await kpi_figure(page)
    assert await figure.locator("text.tg-date").count() >= 2
    await expect(figure.locator(".tg-target-label")).to_contain_text("Target 102 MWh/month")
    await figure.get_by_text("Measurements (").click()
    await expect(figure.locator("tbody tr").first).to_contain_text("MWh/month")
    await labels_stay_inside_their_charts(page)
    assert await chart_text_sizes(page) <= {"11px", "12px"}
    await figure.screenshot(path=str(ARTIFACTS / "kpi-chart.png"))
    await page.set_viewport_size(PHONE)
    figure = await kpi_figure(page)
    assert await chart_text_sizes(page) <= {"11px", "12px"} and await sideways(page) <= 0
    await labels_stay_inside_their_charts(page)
    await figure.screenshot(path=str(ARTIFACTS / "kpi-chart-phone.png"))


async def test_the_committee_pack_reads_as_a_web_page_and_fits_a_phone(
    stack: Stack, browser: Browser
):
    context, page = await signed_in(browser, stack.url, "clara")
    await page.goto(f"/initiatives/{HVAC.initiative_id}")
    pdf = await context.request.get(
        await page.locator("#committee-pack").get_attribute("href") or ""
    )
    assert pdf.ok and pdf.headers["content-type"] == "application/pdf"
    await page.get_by_role("link", name="(as a web page)").click()
    await expect(page.get_by_role("heading", name="Energy optimisation of HVAC")).to_be_visible()
    await expect(page.locator("#gate")).to_have_text("G3 review: Pilot to MVP")
    await expect(page.get_by_text("go 1; 2 agreeing votes decide.")).to_be_visible()
    await labels_stay_inside_their_charts(page)
    await page.screenshot(path=str(ARTIFACTS / "pack.png"), full_page=True)
    await page.set_viewport_size(PHONE)
    assert await sideways(page) <= 0
    await page.screenshot(path=str(ARTIFACTS / "pack-phone.png"), full_page=True)
