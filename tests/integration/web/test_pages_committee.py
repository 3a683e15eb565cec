"""The committee's flow on the pages, against every service as a real process: one current
vote per member and the tally, the deadlock hint, re-review choices, a vote from a stale
page, merged conditions, and decisions that explain themselves (replay, recycle diff).

Initiatives reach the later gates through the stage services' own commands over NATS
(services.journeys, the demo's paths), then the committee acts on the pages."""

from __future__ import annotations

import re
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from html import unescape
from typing import Any

import nats
import pytest
import pytest_asyncio

from infra.driver import Driver
from infra.settings import Settings
from services.journeys import Clock, Outcome, Profile, journey
from tests.integration.bus import eventually
from tests.integration.web.site import Site, errors, flashes, site

pytestmark = pytest.mark.asyncio(loop_scope="session")
__all__ = ["site"]
WORKSHOP = {"held_on": "2025-03-03", "participants": "olivia, carlos", "outcome": "Scope agreed"}


@pytest_asyncio.fixture(loop_scope="session")
async def nc(settings: Settings) -> AsyncIterator[nats.NATS]:
    client = await nats.connect(settings.nats_url)
    yield client
    await client.close()


async def driven(nc: nats.NATS, settings: Settings, outcome: Outcome, title: str) -> str:
    """An initiative taken along a demo path by the stage services' own commands."""
    p = Profile(
        initiative_id=str(uuid.uuid4()),
        title=title,
        problem="Slow routing",
        goal="Route invoices in minutes",
        outcome=outcome,
    )
    clock = Clock(datetime.now(UTC) - timedelta(days=30), timedelta(hours=1))
    await Driver(nc, settings.subjects).run(journey(p, clock))
    return p.initiative_id


async def vote(site: Site, who: str, iid: str, decision: str, gate: str, **more: str) -> Any:
    await site.as_(who)
    data = {"gate": gate, "decision": decision, "rationale": f"{who}: {decision}", **more}
    return await site.post(f"/reviews/{iid}/decision", data)


def words(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", html))


def card(html: str, iid: str) -> str:
    """One initiative's entry in the queue: its review card or what took its place."""
    found = re.search(rf'<article[^>]*id="(?:review|decided)-{iid}".*?</article>', html, re.S)
    assert found, f"no entry for {iid}"
    return unescape(re.sub(r"\s+", " ", found.group(0)))


async def in_review(site: Site, iid: str, gate: str) -> None:
    await site.as_("olivia")
    r = await site.post(f"/initiatives/{iid}/gate-review")
    assert "Gate review requested." in flashes(r.text), flashes(r.text)
    await site.as_("clara")
    assert f"</a>: {gate} " in card((await site.get("/reviews")).text, iid)


async def api(site: Site, path: str) -> Any:
    r = await site.get(f"/api/v1{path}")
    assert r.status_code == 200, r.text
    return r.json()


async def test_a_repeated_vote_counts_once_and_a_split_is_called_deadlocked(
    site: Site, nc: nats.NATS, settings: Settings
):
    iid = await driven(nc, settings, "pilot", "Split committee")
    await in_review(site, iid, "G3")
    await vote(site, "clara", iid, "go", "G3")
    r = await vote(site, "clara", iid, "go", "G3")  # a second form: a new vote, same member
    assert r.headers["HX-Reselect"] == f"#review-{iid}"
    mine = card(r.text, iid)
    assert "Your vote (go) is recorded." in mine
    assert "Votes: go 1: 2 agreeing votes needed (one more vote for go decides)." in words(mine)
    assert mine.count("<strong>clara</strong>: go") == 1 and "Earlier votes" in mine
    assert "Your current vote: go. Voting again replaces it." in words(mine)
    r = await vote(site, "conrad", iid, "hold", "G3")
    split = card(r.text, iid)
    assert "Votes: go 1, hold 1: 2 agreeing votes needed." in words(split)
    assert "Deadlocked for now: the votes are split between go and hold" in split
    r = await vote(site, "clara", iid, "hold", "G3")  # she changes her mind: hold 2
    assert r.headers["HX-Reselect"] == f"#decided-{iid}"
    decided = words(card(r.text, iid))
    assert "G3 decided, hold" in decided and "your vote: hold" in decided
    assert "Your vote (hold) is recorded and decides G3: hold." in decided
    (review,) = [
        g for g in (await api(site, f"/initiatives/{iid}"))["gates"]["reviews"] if g["gate"] == "G3"
    ]
    assert [(v["voter"], v["decision"]) for v in review["votes"]] == [
        ("conrad", "hold"),
        ("clara", "hold"),
    ]
    assert [(v["voter"], v["decision"]) for v in review["earlier"]] == [("clara", "go")] * 2
    await site.as_("conrad")  # he voted too: the decision stays in place of the card
    assert "G3 decided, hold" in words(card((await site.get("/reviews")).text, iid))
    await site.as_("vera")
    assert iid not in (await site.get("/reviews")).text


async def test_a_re_review_offers_only_go_and_kill(site: Site, nc: nats.NATS, settings: Settings):
    iid = await driven(nc, settings, "breached", "Breached in production")
    await site.as_("clara")

    async def queued() -> bool:  # the journey went over NATS: wait for the read models
        return f'id="review-{iid}"' in (await site.get("/reviews")).text

    await eventually(queued, timeout=20, what="the re-review in the queue")
    entry = card((await site.get("/reviews")).text, iid)
    assert 'name="gate" value="re-review"' in entry
    options = re.findall(r'<option value="(\w+)"', entry)
    assert options == ["go", "kill"]
    assert "go: keep it running" in entry and "kill: retire it" in entry
    assert 'name="conditions"' not in entry
    r = await vote(site, "clara", iid, "hold", "re-review")  # a hand-made request
    assert errors(r.text) == {
        f"d-{iid[:8]}-decision": "Choose go (keep it running) or kill (retire it)"
    }
    r = await vote(site, "clara", iid, "go", "re-review")
    assert "Your decision is recorded: go: keep it running." in card(r.text, iid)
    assert (await api(site, f"/initiatives/{iid}"))["summary"]["status"] == "launched"


async def test_a_vote_from_a_stale_page_is_told_the_gate_now_under_decision(
    site: Site, nc: nats.NATS, settings: Settings
):
    iid = await driven(nc, settings, "in_review", "Stale page")
    await site.as_("clara")
    page = card((await site.get("/reviews")).text, iid)  # clara's page shows G1
    assert 'name="gate" value="G1"' in page
    r = await vote(site, "conrad", iid, "go", "G1")  # meanwhile conrad decides G1
    assert "decides G1: go" in card(r.text, iid)
    r = await vote(site, "clara", iid, "hold", "G1")  # clara sends her stale form
    assert r.status_code == 200 and r.headers["HX-Reselect"] == f"#decided-{iid}"
    said = card(r.text, iid)
    assert re.search(
        r"G1 is not the gate under decision: the current gate is G2 \(poc, "
        r"(opening|active)\)",
        said,
    ), said
    assert 'role="alert"' in said


async def test_two_members_naming_the_same_condition_set_it_once(
    site: Site, nc: nats.NATS, settings: Settings
):
    iid = await driven(nc, settings, "pilot", "Same condition twice")
    await in_review(site, iid, "G3")
    await vote(site, "clara", iid, "conditional_go", "G3", conditions="Sign the DPA with IT")
    r = await vote(
        site,
        "conrad",
        iid,
        "conditional_go",
        "G3",
        conditions="sign the DPA with IT.\nRun a bias audit",
    )
    assert "decides G3: conditional go" in card(r.text, iid)
    detail = await api(site, f"/initiatives/{iid}")
    (g3,) = [g for g in detail["gates"]["reviews"] if g["gate"] == "G3"]
    texts = [c["text"] for c in g3["decision"]["conditions"]]
    assert texts == ["Sign the DPA with IT", "Run a bias audit"]


async def test_a_replay_keeps_the_checklist_of_its_moment_and_a_recycle_lists_what_changed(
    site: Site,
):
    await site.as_("olivia")
    iid = await site.propose(title="Replayed decision")
    for key, data in (
        ("score", {"value": "4", "feasibility": "4", "risk": "2", "strategic_fit": "5"}),
        ("sourcing", {"sourcing": "build", "rationale": "Core"}),
        ("risk", {"risk_class": "limited", "rationale": "Assists"}),
    ):
        await site.work(iid, key, data)
    await in_review(site, iid, "G1")
    before = await api(site, f"/initiatives/{iid}/readiness")
    r = await vote(site, "clara", iid, "recycle", "G1")
    assert "decides G1: recycle" in card(r.text, iid)
    await site.as_("olivia")
    await site.work(iid, "workshop", WORKSHOP)  # later evidence changes the readiness
    now = await api(site, f"/initiatives/{iid}/readiness")
    assert now["criteria"] != before["criteria"]

    detail = await api(site, f"/initiatives/{iid}")
    (link,) = detail["decisions"]
    assert (link["n"], link["gate"], link["decision"]) == (1, "G1", "recycle")
    assert link["replay"] == f"/api/v1/initiatives/{iid}/decisions/1"
    replay = await api(site, f"/initiatives/{iid}/decisions/1")
    assert replay["readiness"]["criteria"] == before["criteria"]  # as it stood, evidence too
    assert replay["readiness"]["version"] == before["version"] == replay["criteria_version"]
    assert [v["voter"] for v in replay["votes"]] == ["clara"]
    assert replay["rationale"] == "clara: recycle"
    since = replay["since"]
    assert since["until"] is None and [i["label"] for i in since["added"]] == ["Workshops held"]
    assert detail["since_recycle"]["added"] == since["added"]
    assert "Ideation workshop held" in since["now_met"]
    assert (await site.get(f"/api/v1/initiatives/{iid}/decisions/2")).status_code == 404

    page = (await site.get(f"/initiatives/{iid}")).text
    assert "What changed since the recycle" in page and "Workshops held" in page
    assert f'href="/initiatives/{iid}/decisions/1"' in page
    shown = unescape((await site.get(f"/initiatives/{iid}/decisions/1")).text)
    assert "Readiness for G1 when the committee decided" in shown
    workshop = re.search(
        r'<li class="(\w+)">\s*<span><span class="visually-hidden">\w+: </span>'
        r"\s*<strong>Ideation workshop held",
        shown,
    )
    assert workshop and workshop.group(1) == "unmet"  # then, whatever it is now
    assert "What changed after this recycle" in shown

    await in_review(site, iid, "G1")
    await vote(site, "clara", iid, "go", "G1")
    first = await api(site, f"/initiatives/{iid}/decisions/1")
    second = await api(site, f"/initiatives/{iid}/decisions/2")
    assert first["since"]["until"] == second["at"] and first["readiness"] == replay["readiness"]
    assert second["readiness"]["criteria"] == now["criteria"]
