"""An escalated incident in real headless Chromium, against the real services (inbox_world.py):
a critical incident no one acknowledged goes to the chair's inbox, whose link opens the
incident on the dossier marked as escalated; the accountable person acknowledges it there
and it leaves the chair's inbox. Screenshots: tests/artifacts/incident-escalated.png,
incident-escalated-phone.png, incident-inbox.png (the chair's inbox) and
incident-urgent-inbox.png (the accountable person's, before the limit)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.async_api import Browser, expect

from tests.e2e.test_browser import ARTIFACTS
from tests.e2e.test_inbox_browser import sign_in
from tests.integration.inbox_world import CHAIR, World, world

pytestmark = pytest.mark.asyncio(loop_scope="session")
__all__ = ["world"]
OVERSIGHT = {
    "override_by": ["Claims team lead"],
    "decision_boundaries": "The AI proposes a triage; a claims handler confirms it",
    "escalation_path": "Claims team lead, then the committee chair",
    "accountable": "ina-acc",
}
INCIDENT = {
    "title": "Urgent claims routed to the slow queue",
    "severity": "critical",
    "description": "Since the 09:00 model update, 40 urgent claims waited in the normal queue.",
}


async def test_the_chair_sees_an_escalated_incident_and_the_accountable_acknowledges_it(
    world: World, browser: Browser
):
    iid = await world.in_pilot()
    await world.post(f"/initiatives/{iid}/pilot/oversight", "ina-owner", OVERSIGHT)
    reported = await world.post(f"/initiatives/{iid}/pilot/incidents", "ina-owner", INCIDENT)
    incident = reported["record_id"]
    [waiting] = [i for i in await world.inbox("ina-acc", reported["position"]) if i.incident_id]

    mine = await sign_in(browser, world.stack.url, "ina-acc")  # told at once, before the limit
    await mine.goto("/inbox")
    urgent = mine.locator("li.kind-incident", has_text=INCIDENT["title"])
    await expect(urgent.locator(".inbox-urgent")).to_contain_text("Acknowledge by")
    await expect(urgent).to_contain_text("or it goes to the committee chair")
    ARTIFACTS.mkdir(exist_ok=True)
    await mine.screenshot(path=str(ARTIFACTS / "incident-urgent-inbox.png"), full_page=True)
    await urgent.get_by_role("link", name=f"Open the incident: Claims triage {iid[-4:]}").click()
    await expect(mine.locator(f"#incident-{incident} .incident-state")).to_contain_text(
        "Not acknowledged"
    )

    assert (await world.tick(waiting.since + timedelta(hours=5))).escalated == 1
    await world.caught_up()

    page = await sign_in(browser, world.stack.url, CHAIR)
    await page.goto("/inbox")
    item = page.locator("li.kind-incident", has_text=INCIDENT["title"])
    await expect(item).to_contain_text("Escalated to you: the critical incident")
    await expect(item.locator(".inbox-overdue")).to_be_visible()
    await page.screenshot(path=str(ARTIFACTS / "incident-inbox.png"), full_page=True)

    await item.get_by_role("link", name=f"Open the incident: Claims triage {iid[-4:]}").click()
    record = page.locator(f"#incident-{incident}")
    await expect(record).to_have_class("item incident incident-escalated")
    await expect(record.locator(".incident-state")).to_contain_text(
        f"Escalated to the committee chair, {CHAIR}"
    )
    await expect(record.get_by_role("button", name="Acknowledge")).to_be_visible()  # committee
    badge = await page.locator("header.panel .meta .badge").first.bounding_box()
    assert badge is not None and badge["height"] < 30, badge  # not stretched to the pack button
    shot = page.locator("#record-incidents")
    records = shot.locator("xpath=..")  # the pilot's records: oversight names the accountable
    await records.scroll_into_view_if_needed()
    await records.screenshot(path=str(ARTIFACTS / "incident-escalated.png"))
    await page.set_viewport_size({"width": 390, "height": 844})
    await page.reload()
    overflow = await page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"the dossier scrolls sideways by {overflow}px on a phone"
    await shot.screenshot(path=str(ARTIFACTS / "incident-escalated-phone.png"))

    await mine.goto(f"/initiatives/{iid}#incident-{incident}")
    acknowledged = mine.locator(f"#incident-{incident}")
    await acknowledged.get_by_label("What you are doing").fill("Rolled the model back")
    await acknowledged.get_by_role("button", name="Acknowledge").click()
    state = mine.locator(f"#incident-{incident} .incident-state")
    await expect(state).to_contain_text("Acknowledged by ina-acc")
    await expect(state).to_contain_text("Rolled the model back")  # the note, on the dossier
    await expect(mine.locator(f"#incident-{incident} button")).to_have_count(0)
    assert [i for i in await world.inbox(CHAIR) if i.initiative_id == iid] == []
