"""The dossier from real events: one initiative driven through ideation, PoC and pilot into
the MVP over the HTTP API (every service a real process), then its page, its JSON, its
timeline in words with filters, its readiness sentences and the review queue's card."""

from __future__ import annotations

import asyncio
import re
import time
from html import unescape
from typing import Any

import pytest
import pytest_asyncio

from infra.db import create_pool
from tests.accounts import ensure_user
from tests.integration.web.dossier_journey import (
    CONDITION,
    IDEA,
    MEASURED,
    decide,
    ideation,
    mvp,
    pilot,
    poc,
)
from tests.integration.web.site import Site, site

pytestmark = pytest.mark.asyncio(loop_scope="session")
__all__ = ["site"]


class Api:
    """The API of the site's app, with bearer tokens (no session cookie)."""

    def __init__(self, site: Site, tokens: dict[str, str]) -> None:
        self.site, self.tokens = site, tokens

    async def call(self, method: str, path: str, who: str, body: Any = None, **params: Any) -> Any:
        self.site.client.cookies.clear()
        r = await self.site.client.request(
            method,
            f"/api/v1{path}",
            json=body,
            params=params,
            headers={"Authorization": f"Bearer {self.tokens[who]}"},
        )
        assert r.status_code in (200, 201), f"{method} {path}: {r.status_code} {r.text}"
        return r.json()

    async def do(self, path: str, who: str, body: Any = None) -> Any:
        return await self.call("POST", path, who, body if body is not None else {})

    async def get(self, path: str, **params: Any) -> Any:
        return await self.call("GET", path, "vera", **params)

    async def opened(self, iid: str, stage: str, within: float = 20) -> None:
        deadline = time.monotonic() + within
        while True:
            kinds = [e["type"] for e in await self.get(f"/initiatives/{iid}/events")]
            if f"io.tollgate.{stage}.{stage}_opened.v1" in kinds:
                return
            assert time.monotonic() < deadline, f"{stage} never opened"
            await asyncio.sleep(0.1)


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def api(site: Site) -> Api:
    pool = await create_pool(site.settings.database_url, max_size=2)
    try:
        roles = {
            "olivia": "owner",
            "carlos": "contributor",
            "vera": "viewer",
            "clara": "committee",
            "conrad": "committee",
        }
        tokens = {n: (await ensure_user(pool, n, role))[1] for n, role in roles.items()}
    finally:
        await pool.close()
    return Api(site, tokens)


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def driven(api: Api) -> dict[str, Any]:
    """The initiative in the MVP, and the pages seen on its way there."""
    iid = (await api.do("/initiatives", "olivia", IDEA))["id"]
    await ideation(api, iid)
    review = await api.do(f"/initiatives/{iid}/gate-reviews", "olivia")
    seen: dict[str, Any] = {
        "queue_json": await api.get("/reviews", min_position=review["position"])
    }
    await api.site.as_("clara")  # the pages take no min_position: the API call above waited
    seen["queue"] = (await api.site.get("/reviews")).text
    await decide(api, iid, "clara")
    await api.opened(iid, "poc")
    await api.site.as_("carlos")
    seen["empty_poc"] = (await api.site.get(f"/initiatives/{iid}")).text
    await poc(api, iid)
    await api.do(f"/initiatives/{iid}/gate-reviews", "olivia")
    await decide(api, iid, "clara")
    await api.opened(iid, "pilot")
    reply = await pilot(api, iid)
    await api.get(f"/initiatives/{iid}", min_position=reply["position"])
    await api.site.as_("carlos")
    seen["pilot"] = (await api.site.get(f"/initiatives/{iid}")).text
    await api.do(f"/initiatives/{iid}/gate-reviews", "olivia")
    await decide(api, iid, "clara", "conrad", decision="conditional_go", conditions=CONDITION)
    await api.opened(iid, "mvp")
    await api.do(f"/initiatives/{iid}/conditions/dpo/fulfil", "olivia", {"evidence": "Minutes 12"})
    reply = await mvp(api, iid)
    await api.get(f"/initiatives/{iid}", min_position=reply["position"])
    await api.site.as_("vera")
    page = await api.site.get(f"/initiatives/{iid}")
    assert page.status_code == 200, page.text
    return {"iid": iid, "page": page.text, "position": reply["position"], **seen}


def text(html: str, inline: bool = False) -> str:
    """The page's words, tags dropped (as a space, or as nothing when `inline`) and spaces
    collapsed."""
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", "" if inline else " ", html)))


def section(html: str, record: str) -> str:
    found = re.search(rf'id="record-{record}".*?</article>', html, re.S)
    assert found, f"no {record} section"
    return text(found.group(0))


async def test_every_dossier_section_renders_from_real_events(driven: dict[str, Any]):
    page = driven["page"]
    assert 'id="problem">The chillers run flat out at night.<' in page
    assert 'id="goal">Cut chiller energy by 15 percent.<' in page
    assert 'Dana Field <span class="hint">(no account)</span>' in page
    expected = {
        "workshops": ["2026-01-15", "Dana Field, carlos", "Night setback first"],
        "score": ["Priority 3.8 of 5", "Value 4", "Feasibility 3", "Risk 2", "Strategic fit 4"],
        "sourcing": ["partner", "The chiller vendor has the data."],
        "risk": [
            "Confirmed: limited",
            "Confirmed with legal.",
            "Pre-classified: limited",
            "Advises operators only.",
        ],
        "hypotheses": [
            "Night setback saves energy",
            "Validated when saving % >= 10",
            "validated result 14.5",
            "https://wiki/exp-14.5",
            "1 earlier result",
        ],
        "data-sources": ["BMS trend logs", "15-minute readings"],
        "model": ["gradient boosting", "Tabular sensor data."],
        "scope": ["Night operators", "Hall 3, Hall 4", "8 weeks"],
        "kpis": [
            "Energy use",
            "must, lower is better",
            "120 MWh/month",
            "102 MWh/month",
            "100.2 MWh/month",
            "on target",
        ],
        "oversight": ["Facility manager", "Shift lead", "Setpoints within 2 K"],
        "incidents": ["Setpoint overshoot", "resolved", "high", "resolved on", "Clamped the range"],
        "feedback": ["Operators like the hints", "positive"],
        "documents": [
            "Model card",
            "Runbook",
            "v2",
            "https://wiki/runbook/olivia",
            "olivia",
            "1 earlier version",
            "v1 by carlos",
        ],
        "monitoring": ["Facility manager", "drift: threshold 0.2"],
        "checklist": ["Done: Operator training", "Open: Rollback plan"],
    }
    for record, words in expected.items():
        shown = section(page, record)
        for word in words:
            assert word in shown, f"{record}: {word!r} not in {shown!r}"
    conditions = text(re.search(r'id="record-conditions".*?</ul>', page, re.S).group(0))  # type: ignore[union-attr]
    assert "Fulfilled: Works council informed" in conditions and "by olivia" in conditions
    assert "Minutes 12" in conditions


async def test_each_record_links_to_its_history(driven: dict[str, Any]):
    iid = driven["iid"]
    link = f'href="/initiatives/{iid}?type=document_recorded#timeline-title"'
    assert link in driven["page"]
    assert (
        f'href="/initiatives/{iid}?type=hypothesis_added,experiment_result_recorded'
        in driven["page"]
    )


async def test_the_api_carries_the_dossier(api: Api, driven: dict[str, Any]):
    detail = await api.get(f"/initiatives/{driven['iid']}", min_position=driven["position"])
    d = detail["dossier"]
    assert (d["problem_statement"], d["business_goal"]) == (
        IDEA["problem_statement"],
        IDEA["business_goal"],
    )
    assert [r["value"] for r in d["hypotheses"][0]["results"]] == [8, 14.5]
    assert [v["version"] for v in d["documents"]["runbook"]] == [1, 2]
    assert d["incidents"][0]["status"] == "resolved"
    assert d["scope"]["sites"] == ["Hall 3", "Hall 4"]
    assert detail["conditions"][0]["fulfilled"] is True
    team = detail["summary"]["team"]
    assert {"name": "Dana Field", "account": None} in team
    assert {"name": "carlos", "account": "carlos"} in team


async def test_readiness_names_its_evidence_in_a_sentence(driven: dict[str, Any]):
    pilot = text(driven["pilot"])
    assert MEASURED in pilot
    assert "{'" not in pilot and "KPIs: energy" not in pilot


async def test_an_empty_hypothesis_list_is_unmet_and_links_to_the_form_that_fixes_it(
    driven: dict[str, Any],
):
    page = driven["empty_poc"]
    unmet = re.findall(r'<li class="unmet">(.*?)</li>', page, re.S)
    results = next(u for u in unmet if "Every hypothesis has a result" in u)
    assert "No hypothesis yet, so none has a result" in text(results)
    hypothesis = next(u for u in unmet if "At least one hypothesis" in u)
    assert 'href="#form-hypothesis"' in hypothesis
    assert 'id="form-hypothesis"' in page


async def test_the_timeline_says_each_event_in_words(driven: dict[str, Any]):
    words = text(driven["page"], inline=True)
    for said in (
        "Score recorded: value 4, feasibility 3, risk 2, strategic fit 4; priority 3.8",
        "KPI Energy use defined: baseline 120 MWh/month, target 102, lower is better (must)",
        "Energy use measured: 100.2 MWh/month (source BMS)",
        "Result for “Night setback saves energy”: 14.5, validated",
        "Incident “Setpoint overshoot” resolved: “Clamped the range”",
        "Runbook v2 recorded: author olivia; https://wiki/runbook/olivia",
        "G3 decided: conditional go",
        "Condition “Works council informed” fulfilled: evidence “Minutes 12”",
    ):
        assert said in words, said
    assert "Kpi defined" not in words


async def test_the_timeline_filters_by_stage_kind_and_actor(api: Api, driven: dict[str, Any]):
    iid = driven["iid"]
    await api.site.as_("vera")
    page = (await api.site.get(f"/initiatives/{iid}", type="kpi_measured")).text
    shown = re.findall(r'data-type="([^"]+)"', page)
    assert shown == ["io.tollgate.pilot.kpi_measured.v1"] * 3
    assert "3 of " in text(re.search(r'id="timeline-count">[^<]*', page).group(0))  # type: ignore[union-attr]
    page = (await api.site.get(f"/initiatives/{iid}", stage="ideation", actor="olivia")).text
    assert set(re.findall(r'data-type="([^"]+)"', page)) == {
        "io.tollgate.ideation.idea_proposed.v1",
        "io.tollgate.ideation.idea_scored.v1",
        "io.tollgate.ideation.gate_review_requested.v1",
    }
    events = await api.get(f"/initiatives/{iid}/events", stage="pilot", type="kpi_measured")
    assert [e["data"]["value"] for e in events] == [110, 104, 100.2]
    by_olivia = await api.get(f"/initiatives/{iid}/events", actor="olivia")
    assert by_olivia and {e["actor"] for e in by_olivia} == {"olivia"}
    full_type = await api.get(f"/initiatives/{iid}/events", type="io.tollgate.mvp.mvp_opened.v1")
    assert len(full_type) == 1
    assert await api.get(f"/initiatives/{iid}/events", type="kpi_breached") == []


async def test_the_review_queue_shows_what_the_committee_reads_first(driven: dict[str, Any]):
    card = re.search(rf'id="review-{driven["iid"]}".*?</article>', driven["queue"], re.S)
    assert card
    words = text(card.group(0))
    for said in (
        "Problem The chillers run flat out at night.",
        "Business goal Cut chiller energy by 15 percent.",
        "Risk class limited (pre-classified)",
        "Priority 3.8",
        "100% of criteria met",
        "Votes:",
    ):
        assert said in words, said
    item = next(i for i in driven["queue_json"] if i["initiative_id"] == driven["iid"])
    assert (item["problem_statement"], item["risk_class"], item["priority"]) == (
        IDEA["problem_statement"],
        "limited",
        3.8,
    )


async def test_board_cards_show_the_readiness_percentage_as_text(
    site: Site, driven: dict[str, Any]
):
    await site.as_("vera")
    board = (await site.get("/", q="chiller")).text
    card = re.search(rf'id="card-{driven["iid"]}".*?</li>', board, re.S)
    assert card and re.search(r"\d+% ready", text(card.group(0)))
