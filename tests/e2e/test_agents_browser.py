"""The agents' pages in real headless Chromium against the real services: the approver
approves a held draft on /approvals (htmx) and it leaves the list; the agent's page shows
its policy, sponsor, attestation, what waits, what was refused, what it did and the
approval quality, on a desktop and a phone; the admin pulls the kill switch from it.
Screenshots: tests/artifacts/approvals.png, agent.png, agent-phone.png."""

from __future__ import annotations

import pytest
from playwright.async_api import Browser, Page, expect

from infra.db import create_pool
from infra.settings import Settings
from tests.accounts import ensure_user
from tests.e2e.test_browser import ARTIFACTS
from tests.integration.api_stack import Api, api
from tests.integration.test_agents import in_mvp

pytestmark = pytest.mark.asyncio(loop_scope="session")
__all__ = ["api"]
PASSWORD = "agents-e2e-password"
DOC, KPI, APPROVER, ADMIN = "doc-assistant", "kpi-recorder", "ava", "adam"
POLICIES = {
    DOC: {"rules": [
        {"action": "record-document", "mode": "draft", "approver": {"account": APPROVER}},
        {"action": "report-incident", "mode": "draft", "approver": {"role": "committee"},
         "stages": ["pilot"], "risk_classes": ["high"], "hold_hours": 24},
    ], "otherwise": "refused", "hold_hours": 96},
    KPI: {"rules": [{"action": "record-measurement", "mode": "direct", "max_deviation": 0.2}],
          "approver": {"role": "owner"}, "otherwise": "refused"},
}  # fmt: skip


async def people_and_agents(api: Api, settings: Settings) -> None:
    pool = await create_pool(settings.database_url_for("api"), max_size=1)
    try:
        for name, role, kind in (
            (APPROVER, "owner", "person"),
            (ADMIN, "admin", "person"),
            (DOC, "contributor", "agent"),
            (KPI, "contributor", "agent"),
        ):
            password = PASSWORD if kind == "person" else None
            api.tokens[name] = (await ensure_user(pool, name, role, kind, password))[1]
    finally:
        await pool.close()
    for agent, policy in POLICIES.items():
        put = await api.http.put(f"/agents/{agent}/policy", json=policy,
                                 headers=api.headers("admin"))  # fmt: skip
        assert put.status_code == 200, put.text
        await api.ok(f"/agents/{agent}/sponsor", "admin", {"sponsor": APPROVER})
        await api.ok(f"/agents/{agent}/attestations", APPROVER)


async def agents_at_work(api: Api) -> str:
    iid = await in_mvp(api)
    seen = 0
    for kind in ("model_card", "runbook"):
        body = {"kind": kind, "link": f"https://wiki.example.com/{kind}", "author": DOC}
        held = await api.post(f"/initiatives/{iid}/mvp/documents", DOC, body)
        assert held.status_code == 202, held.text
        seen = max(seen, held.json()["position"] or 0)
    refused = await api.post(
        f"/initiatives/{iid}/mvp/monitoring",
        DOC,
        {"metrics": [{"name": "drift", "threshold": 0.2}], "owner": DOC},
    )
    assert refused.status_code == 403, refused.text
    for value in (4.2, 4.5):
        done = await api.post(
            f"/initiatives/{iid}/kpis/minutes/measurements", KPI, {"value": value}
        )
        assert done.status_code == 201, done.text
    assert len((await api.get("/approvals", APPROVER, min_position=seen)).json()) == 2
    return iid


async def sign_in(browser: Browser, url: str, name: str) -> Page:
    context = await browser.new_context(base_url=url, viewport={"width": 1280, "height": 900})
    page = await context.new_page()
    await page.goto("/signin")
    await page.get_by_label("Name").fill(name)
    await page.get_by_label("Password").fill(PASSWORD)
    await page.get_by_role("button", name="Sign in").click()
    await expect(page.get_by_role("heading", name="Portfolio board")).to_be_visible()
    return page


async def test_the_approver_approves_a_draft_and_reads_the_agent_s_page(
    api: Api, settings: Settings, browser: Browser
):
    await people_and_agents(api, settings)
    iid = await agents_at_work(api)
    page = await sign_in(browser, api.url, APPROVER)
    await page.get_by_role("link", name="Approvals").click()
    await expect(page.get_by_role("heading", name="Drafts to approve")).to_be_visible()
    drafts = page.locator("ol.approvals > li", has_text=DOC)
    await expect(drafts).to_have_count(2)
    ARTIFACTS.mkdir(exist_ok=True)
    await page.screenshot(path=str(ARTIFACTS / "approvals.png"), full_page=True)
    await drafts.first.get_by_role("button", name="Approve").click()
    await expect(page.locator(".flash-success")).to_contain_text("approved")
    await expect(page.locator("ol.approvals > li", has_text=DOC)).to_have_count(1)

    await page.goto(f"/initiatives/{iid}")
    work = page.locator("#record-agent-work")
    await expect(work.locator("li")).to_have_count(3)  # approved, waiting, refused
    await expect(work).to_contain_text("approved")
    await work.screenshot(path=str(ARTIFACTS / "agent-dossier.png"))
    await page.goto(f"/agents/{DOC}")
    await expect(page.get_by_role("heading", name="Policy version 1")).to_be_visible()
    await expect(page.locator("#waiting-title")).to_contain_text("(1)")
    await expect(page.locator("#refused-title")).to_contain_text("(1)")
    await expect(page.locator("#done-title")).to_contain_text("(1)")
    refused = page.locator("section", has=page.locator("#refused-title"))
    await expect(refused).to_contain_text(f"escalated to {APPROVER}")
    await page.screenshot(path=str(ARTIFACTS / "agent.png"), full_page=True)
    await page.set_viewport_size({"width": 390, "height": 844})
    await page.goto(f"/agents/{DOC}")
    overflow = await page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"/agents/{DOC} scrolls sideways by {overflow}px on a phone"
    await page.screenshot(path=str(ARTIFACTS / "agent-phone.png"), full_page=True)


async def test_the_admin_pulls_the_kill_switch_from_the_agent_s_page(api: Api, browser: Browser):
    page = await sign_in(browser, api.url, ADMIN)
    await page.goto("/agents")
    await page.get_by_role("link", name=KPI).click()
    await page.get_by_label("Why suspend it").fill("It recorded figures from the wrong plant")
    await page.get_by_role("button", name="Suspend now (kill switch)").click()
    await expect(page.locator(".flash-success")).to_contain_text("tokens no longer work")
    assert (await api.get("/initiatives", KPI)).status_code == 401
    await page.goto("/reviews")
    reentry = page.locator(f"#reentry-{KPI}")
    await expect(reentry).to_contain_text(f"Re-entry of {KPI}")
    await page.locator("section", has=page.locator("#reentry-title")).screenshot(
        path=str(ARTIFACTS / "agent-reentry.png")
    )
    await reentry.locator("a").click()
    worked_on = page.locator("table.agent-actions a").first
    await worked_on.click()
    incident = page.locator(".agent-incident")
    await expect(incident).to_contain_text(f"Agent {KPI} suspended")
    await incident.screenshot(path=str(ARTIFACTS / "agent-incident.png"))
