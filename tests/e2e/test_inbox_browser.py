"""The inbox in real headless Chromium, against the real services (inbox_world.py): the
header counts what waits, the page lists it oldest first with overdue reviews marked (on the
board and in the queue too), notification settings save, it fits a phone; and the
committee's day: inbox -> review -> pack -> vote -> the card moves and leaves the inbox.
Screenshots: tests/artifacts/inbox.png, inbox-phone.png and review-overdue.png."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from playwright.async_api import Browser, Page, expect

from tests.e2e.test_browser import ARTIFACTS, LIVE
from tests.integration.inbox_world import CHAIR, PASSWORD, World, world

pytestmark = pytest.mark.asyncio(loop_scope="session")
__all__ = ["world"]
GO = {
    "gate": "G1",
    "decision": "conditional_go",
    "rationale": "Promising",
    "conditions": [{"condition_id": "dpo", "text": "Data protection officer signs off"}],
}


async def sign_in(browser: Browser, url: str, name: str) -> Page:
    context = await browser.new_context(base_url=url, viewport={"width": 1280, "height": 900})
    page = await context.new_page()
    await page.goto("/signin")
    await page.get_by_label("Name").fill(name)
    await page.get_by_label("Password").fill(PASSWORD)
    await page.get_by_role("button", name="Sign in").click()
    await expect(page.get_by_role("heading", name="Portfolio board")).to_be_visible()
    return page


async def test_the_chair_reads_the_inbox_on_a_desktop_and_a_phone(world: World, browser: Browser):
    late = await world.in_pilot(outcome="in_review")  # asked for weeks ago: overdue now
    conditional = await world.in_pilot(outcome="in_review")
    await world.post(f"/initiatives/{conditional}/gate-decisions", "ina-member", GO)
    fresh = await world.in_pilot()
    await world.post(f"/initiatives/{fresh}/gate-reviews", "ina-owner")
    assert (await world.tick(datetime.now(UTC))).flagged >= 1
    await world.caught_up()
    waiting = await world.inbox(CHAIR)
    assert {(i.initiative_id, i.kind) for i in waiting} >= {
        (late, "review"),
        (late, "overdue"),
        (conditional, "condition"),
        (fresh, "review"),
    }

    page = await sign_in(browser, world.stack.url, CHAIR)
    await expect(page.locator(f"#card-{late} .overdue-mark")).to_have_text("review overdue")
    await expect(page.locator(f"#card-{fresh} .overdue-mark")).to_have_count(0)
    count = page.locator(".nav .inbox-count")
    await expect(count).to_have_text(f"{len(waiting)} waiting")
    await page.get_by_role("link", name="Inbox").click()
    await expect(page.get_by_role("heading", name="Your inbox")).to_be_visible()
    items = page.locator("ol.inbox > li")
    await expect(items).to_have_count(len(waiting))
    escalated = page.locator("li.kind-overdue", has_text=_title(late))
    await expect(escalated).to_contain_text("Escalated to you: the G1 review is overdue")
    await expect(page.locator("li.kind-review.overdue", has_text=_title(late))).to_have_count(1)
    await expect(page.locator("li.kind-condition", has_text=_title(conditional))).to_contain_text(
        "Fulfil the G1 condition: Data protection officer signs off"
    )
    ARTIFACTS.mkdir(exist_ok=True)
    await page.screenshot(path=str(ARTIFACTS / "inbox.png"), full_page=True)

    await page.get_by_label("One digest a day").check()
    await page.get_by_role("button", name="Save").click()
    await expect(page.locator(".flash-success")).to_contain_text("settings are saved")
    await expect(page.get_by_label("One digest a day")).to_be_checked()

    await page.set_viewport_size({"width": 390, "height": 844})
    await page.goto("/inbox")
    overflow = await page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"/inbox scrolls sideways by {overflow}px on a phone"
    await page.screenshot(path=str(ARTIFACTS / "inbox-phone.png"), full_page=True)

    await escalated.get_by_role("link", name=f"Open the review: {_title(late)}").click()
    await expect(page).to_have_url(f"{world.stack.url}/reviews#review-{late}")
    await expect(page.locator(f"#review-{late}")).to_be_visible()
    await expect(page.locator(f"#review-{late} .review-overdue")).to_contain_text("Overdue")
    await expect(page.locator(f"#review-{fresh} .review-overdue")).to_have_count(0)
    await page.locator(f"#review-{late}").screenshot(path=str(ARTIFACTS / "review-overdue.png"))

    # the committee's day goes on: the pack, a vote, and the card moves out of the inbox
    card = page.locator(f"#review-{late}")
    pack = await card.locator(f"#pack-{late}").get_attribute("href")
    assert pack is not None
    pdf = await page.request.get(pack)
    assert pdf.ok and pdf.headers["content-type"].startswith("application/pdf")
    await card.locator("select[name=decision]").select_option("go")
    await card.locator("textarea[name=rationale]").fill("A clear case; it waited long enough")
    await card.get_by_role("button", name="Cast vote").click()
    await expect(page.locator(f"#decided-{late}")).to_contain_text("G1 decided, go")
    await page.goto("/")
    moved = page.locator(f'section[data-stage="poc"] #card-{late}')
    await expect(moved).to_be_visible(timeout=LIVE)
    await expect(moved.locator(".overdue-mark")).to_have_count(0)
    await page.goto("/inbox")
    await expect(page.locator("ol.inbox > li", has_text=_title(late))).to_have_count(0)
    await expect(page.locator(".nav .inbox-count")).to_have_text(f"{len(waiting) - 2} waiting")


def _title(iid: str) -> str:
    return f"Claims triage {iid[-4:]}"
