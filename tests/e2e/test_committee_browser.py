"""The committee's day in real headless Chromium, every service a real process: a vote cast
on a lower card answers next to that card and its message outlives the queue's live
refresh; a go/hold split shows the deadlock hint; a past decision opens its replay.

Screenshots (desktop and phone) of the queue and of a replay go to tests/artifacts/.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import nats
import pytest
import pytest_asyncio
from playwright.async_api import Browser, Page, expect

from events import gates
from infra.db import create_pool
from infra.driver import Driver
from infra.settings import Settings
from services.journeys import MEMBER, OWNER, Clock, Outcome, Profile, journey
from tests.accounts import ensure_user
from tests.stack import Stack, start_stack

pytestmark = pytest.mark.asyncio(loop_scope="session")
ARTIFACTS = Path(__file__).resolve().parent.parent / "artifacts"
PASSWORD = "tollgate-e2e"
LIVE = 20_000  # ms
PHONE = {"width": 390, "height": 844}
TITLES: dict[Outcome, tuple[str, ...]] = {
    "in_review": ("Invoice triage", "Contract clause finder", "Shift planner"),
    "pilot": ("Support answer drafts",),
    "recycled_g3": ("Energy forecast",),
}


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def stack(settings: Settings) -> AsyncIterator[Stack]:
    stack = await start_stack(settings)
    pool = await create_pool(settings.database_url, max_size=2)
    try:
        for name, role in (("olivia", "owner"), ("clara", "committee"), ("conrad", "committee")):
            await ensure_user(pool, name, role, "person", PASSWORD)
        yield stack
    finally:
        await pool.close()
        await stack.stop_all()


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def portfolio(settings: Settings, stack: Stack) -> AsyncIterator[dict[str, str]]:
    """Title -> initiative id: three G1 reviews, a G3 review, one launched after a recycle."""
    nc = await nats.connect(settings.nats_url)
    driver = Driver(nc, settings.subjects)
    start = datetime.now(UTC) - timedelta(days=60)
    runs = [
        (title, profile(title, outcome), n)
        for n, (outcome, titles) in enumerate(TITLES.items())
        for title in titles
    ]
    await asyncio.gather(
        *(  # side by side: the handoffs between stages overlap
            driver.run(journey(p, Clock(start + timedelta(days=n), timedelta(hours=3))))
            for _, p, n in runs
        )
    )
    ids = {title: p.initiative_id for title, p, _ in runs}
    review = gates.RequestGateReview(
        initiative_id=ids["Support answer drafts"], at=datetime.now(UTC), actor=OWNER
    )
    await driver.step("pilot", review)
    yield ids
    await nc.close()


def profile(title: str, outcome: Outcome) -> Profile:
    return Profile(
        initiative_id=str(uuid.uuid4()),
        title=title,
        outcome=outcome,
        problem=f"{title}: done by hand today",
        goal="Halve the time it takes",
    )


async def signed_in(browser: Browser, url: str, name: str) -> Page:
    context = await browser.new_context(base_url=url, viewport={"width": 1400, "height": 900})
    page = await context.new_page()
    await page.goto("/signin")
    await page.get_by_label("Name").fill(name)
    await page.get_by_label("Password").fill(PASSWORD)
    await page.get_by_role("button", name="Sign in").click()
    await expect(page.get_by_role("heading", name="Portfolio board")).to_be_visible()
    return page


async def cast(page: Page, iid: str, decision: str, why: str) -> None:
    card = page.locator(f"#review-{iid}")
    await card.get_by_label("Decision").select_option(decision)
    await card.get_by_label("Rationale").fill(why)
    await card.get_by_role("button", name="Cast vote").click()


async def test_a_vote_answers_next_to_its_card_and_a_split_shows_the_deadlock(
    stack: Stack, browser: Browser, settings: Settings, portfolio: dict[str, str]
):
    ARTIFACTS.mkdir(exist_ok=True)
    g3 = portfolio["Support answer drafts"]
    page = await signed_in(browser, stack.url, "clara")
    await page.goto("/reviews")
    await page.evaluate("window.__sameDocument = true")
    await cast(page, g3, "go", "KPIs on target for six weeks")
    outcome = page.locator(f"#outcome-{g3}-G3")
    await expect(outcome).to_have_text("Your vote (go) is recorded.")
    await expect(outcome).to_be_in_viewport()  # next to the card, not at the top off screen
    card = page.locator(f"#review-{g3}")
    await expect(card).to_contain_text("go 1: 2 agreeing votes needed")

    typing = page.locator(f"#review-{portfolio['Invoice triage']}").get_by_label("Rationale")
    await typing.fill("Half-typed while others vote")
    nc = await nats.connect(settings.nats_url)  # conrad votes hold from elsewhere
    hold = gates.DecideGate(
        initiative_id=g3,
        at=datetime.now(UTC),
        actor=MEMBER,
        vote_id=f"v-{uuid.uuid4()}",
        decision="hold",
        rationale="Wait for the works council's view",
    )
    await Driver(nc, settings.subjects).step("pilot", hold)
    await nc.close()
    await expect(card.locator(".deadlock")).to_contain_text("Deadlocked for now", timeout=LIVE)
    await expect(card).to_contain_text("go 1, hold 1: 2 agreeing votes needed")
    await expect(outcome).to_have_text("Your vote (go) is recorded.")  # survived the refresh
    await expect(typing).to_have_value("Half-typed while others vote")  # and so did that
    assert await page.evaluate("window.__sameDocument === true")
    await card.scroll_into_view_if_needed()
    await page.screenshot(path=str(ARTIFACTS / "reviews-committee.png"), full_page=True)
    await page.set_viewport_size(PHONE)
    await page.reload()
    overflow = await page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"the queue scrolls sideways by {overflow}px"
    await page.locator(f"#review-{g3}").scroll_into_view_if_needed()
    await page.screenshot(path=str(ARTIFACTS / "reviews-committee-phone.png"), full_page=True)


async def test_a_past_decision_opens_its_replay(
    stack: Stack, browser: Browser, portfolio: dict[str, str]
):
    iid = portfolio["Energy forecast"]
    page = await signed_in(browser, stack.url, "olivia")
    await page.goto(f"/initiatives/{iid}")
    history = page.locator("#gate-history")
    await history.screenshot(path=str(ARTIFACTS / "gate-history.png"))
    await history.get_by_role("link", name="Replay decision 3").click()
    await expect(page.get_by_role("heading", name="G3 decision: recycle")).to_be_visible()
    replay = page.locator("section", has=page.get_by_role("heading", name="Readiness for G3"))
    await expect(replay.locator("li.unmet").first).to_be_visible()  # not on target then
    await expect(
        page.get_by_role("heading", name="What changed after this recycle")
    ).to_be_visible()
    await page.screenshot(path=str(ARTIFACTS / "replay.png"), full_page=True)
    await page.set_viewport_size(PHONE)
    await page.reload()
    overflow = await page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"the replay scrolls sideways by {overflow}px"
    await page.screenshot(path=str(ARTIFACTS / "replay-phone.png"), full_page=True)
