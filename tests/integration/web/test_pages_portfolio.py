"""The board's sorting, paging and filtered charts, the CSV export and the committee pack,
against a portfolio driven through the stage services' real commands (every service a real
process, the app in the test client)."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime, timedelta
from html import unescape

import pytest
import pytest_asyncio
from msgspec.structs import replace
from pypdf import PdfReader

from events import gates
from infra.bus import connect
from infra.db import create_pool
from infra.driver import Driver
from services.journeys import CHAIR, Clock, Profile, journey, owner_of
from services.projection import board_figures, queries
from services.projection.board import Filters
from tests.integration.web.site import Site, site

pytestmark = pytest.mark.asyncio(loop_scope="session")
__all__ = ["site"]
TAG = "pf-ranked"
BULK = "pf-bulk"
NOW = datetime.now(UTC)


def profile(
    n: int,
    title: str,
    outcome: str,
    scores: tuple[int, int, int, int],
    unfinished: int = 0,
    tag: str = TAG,
) -> Profile:
    return Profile(
        initiative_id=f"pf-{n:02d}",
        title=title,
        problem=f"{title}: done by hand",
        goal=f"{title}: automated",
        tags=(tag,),
        outcome=outcome,
        scores=scores,  # type: ignore[arg-type]
        unfinished=unfinished,
        kpi="Routing time",
        unit="min",
        baseline=30,
        target=12,
        direction="lower",
    )


RANKED = [  # (profile, days ago it started): in ideation with different priority and readiness
    (profile(1, "Alpha ranking", "ideation", (5, 4, 2, 5)), 10),  # priority 4.7, all done
    (profile(2, "Bravo ranking", "ideation", (2, 3, 4, 2)), 50),  # 2.2, all done
    (profile(3, "Charlie ranking", "ideation", (3, 3, 3, 3), unfinished=2), 30),  # 3.0, less
    (profile(4, "Delta pilot", "pilot", (4, 5, 1, 4)), 90),
    (profile(5, "Echo killed", "killed_g1", (2, 2, 4, 3)), 70),
]


async def drive(site: Site) -> int:
    """The ranked portfolio, a G3 review of the pilot with one vote, and 23 bare proposals;
    returns the last position."""
    nc = await connect(site.settings.nats_url, name="pf-test")
    driver = Driver(nc, site.settings.subjects, open_timeout=30)
    try:
        last = 0
        for p, days in RANKED:
            clock = Clock(NOW - timedelta(days=days), timedelta(hours=2))
            for stage, command in journey(p, clock):
                last = max(last, (await driver.step(stage, command)).position or 0)
        pilot = RANKED[3][0]
        clock = Clock(NOW - timedelta(hours=5), timedelta(minutes=10))
        await driver.step(
            "pilot",
            gates.RequestGateReview(
                initiative_id=pilot.initiative_id, at=clock.tick(), actor=owner_of(pilot)
            ),
        )
        reply = await driver.step(
            "pilot",
            gates.DecideGate(
                initiative_id=pilot.initiative_id,
                at=clock.tick(),
                actor=CHAIR,
                vote_id="pf-v1",
                decision="go",
                rationale="The pilot met its routing time",
            ),
        )
        last = max(last, reply.position or 0)
        for n in range(23):
            bare = profile(30 + n, f"Bulk idea {n:02d}", "ideation", (3, 3, 3, 3), tag=BULK)
            step = journey(bare, Clock(NOW - timedelta(hours=n + 1), timedelta(minutes=1)))[0]
            reply = await driver.step(*step)
            last = max(last, reply.position or 0)
        return last
    finally:
        await nc.drain()


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def world(site: Site) -> Site:
    last = await drive(site)
    pool = await create_pool(site.settings.database_url, max_size=2)
    try:
        assert await queries.wait_for_position(pool, last, 30)
    finally:
        await pool.close()
    await site.as_("vera")
    return site


def column(html: str, stage: str) -> str:
    return html.split(f'data-stage="{stage}"')[1].split("</section>", maxsplit=1)[0]


def card_ids(html: str, stage: str) -> list[str]:
    return re.findall(r'id="card-([\w.:-]+)"', column(html, stage))


async def board(site: Site, **params: str) -> str:
    r = await site.get("/", htmx=True, **params)
    assert r.status_code == 200, r.text
    return r.text


@pytest.mark.parametrize(
    ("sort", "name", "expected"),
    [
        ("priority", "priority", ["pf-01", "pf-03", "pf-05", "pf-02"]),  # 4.7, 3.0, 2.3, 2.2
        # 100%, 89% (priority below 3), 78% (two steps undone); killed: no readiness, last
        ("readiness", "readiness", ["pf-01", "pf-02", "pf-03", "pf-05"]),
        # 50, 30 and 10 days since proposed; killed within a day
        ("days", "days in stage", ["pf-02", "pf-03", "pf-01", "pf-05"]),
        ("updated", "last update", ["pf-01", "pf-03", "pf-02", "pf-05"]),
    ],
)
async def test_the_board_sorts_each_column(world: Site, sort: str, name: str, expected: list[str]):
    html = await board(world, q=TAG, sort=sort)
    assert card_ids(html, "ideation") == expected
    assert f"sorted by {name}" in html


async def test_the_cards_show_priority_readiness_and_days_as_text(world: Site):
    html = column(await board(world, q=TAG), "ideation")
    alpha = html.split('id="card-pf-01"')[1].split("</li>")[0]
    assert "priority 4.7" in alpha and "100% ready" in alpha and "days in stage" in alpha
    charlie = html.split('id="card-pf-03"')[1].split("</li>")[0]
    assert re.search(r"(\d+)% ready", charlie) and "100% ready" not in charlie


async def test_a_column_shows_twenty_cards_and_more_on_request(world: Site):
    first = await board(world, q=BULK)
    assert len(card_ids(first, "ideation")) == 20
    assert 'aria-label="23 initiatives"' in column(first, "ideation")
    more = re.search(r'href="/\?([^"]*show_ideation=40[^"]*)"', column(first, "ideation"))
    assert more and "q=pf-bulk" in unescape(more[1]) and "Show more" in column(first, "ideation")
    second = await board(world, **dict(p.split("=", 1) for p in unescape(more[1]).split("&")))
    assert len(card_ids(second, "ideation")) == 23 and "Show more" not in column(second, "ideation")
    assert 'name="show_ideation" value="40"' in second  # kept by the live refresh and filters
    assert card_ids(second, "ideation")[:20] == card_ids(first, "ideation")


def funnel_label(html: str) -> str:
    found = re.search(r'class="tg-chart tg-funnel" role="img" aria-label="([^"]*)"', html)
    assert found
    return unescape(found[1])


async def test_the_charts_follow_the_filters(world: Site):
    ranked = funnel_label(await board(world, q=TAG))
    assert "Ideation 5," in ranked and "PoC 1 " in ranked and "Pilot 1 " in ranked
    bulk = funnel_label(await board(world, q=BULK))
    assert "Ideation 23," in bulk and "PoC 0 " in bulk
    killed = await board(world, q=TAG, status="killed")
    assert "Ideation 1," in funnel_label(killed) and "killed 1" in killed


async def test_new_events_refresh_the_figures_and_unfiltered_they_are_the_portfolio(world: Site):
    assert "Ideation 0," in funnel_label(await board(world, q="pf-fresh"))
    await world.as_("olivia")
    await world.propose(title="Fresh idea", tags="pf-fresh")
    await world.as_("vera")
    assert "Ideation 1," in funnel_label(await board(world, q="pf-fresh"))
    pool = await create_pool(world.settings.database_url, max_size=1)
    try:
        filtered = await board_figures.computed(pool, Filters(), stale_days=30)
        whole = await queries.portfolio(pool, stale_days=30)
    finally:
        await pool.close()
    assert replace(filtered, as_of=whole.as_of, stale=[]) == replace(whole, stale=[])
    assert [s.initiative_id for s in filtered.stale] == [s.initiative_id for s in whole.stale]


async def export(
    site: Site, headers: dict[str, str] | None = None, **params: str
) -> list[list[str]]:
    r = await site.client.get("/api/v1/initiatives", params=params, headers=headers or {})
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("text/csv")
    assert "attachment" in r.headers["content-disposition"]
    return list(csv.reader(io.StringIO(r.text)))


async def test_the_csv_export_has_the_filters_and_order_of_the_list(world: Site):
    rows = await export(world, format="csv", q=TAG, sort="priority")
    header, body = rows[0], rows[1:]
    ids = [dict(zip(header, r, strict=True))["id"] for r in body]
    assert ids == ["pf-01", "pf-04", "pf-03", "pf-05", "pf-02"]  # 4.7, 4.3, 3.0, 2.3, 2.2
    listed = await world.client.get("/api/v1/initiatives", params={"q": TAG, "sort": "priority"})
    assert [i["initiative_id"] for i in listed.json()["items"]] == ids
    first = dict(zip(header, body[0], strict=True))
    assert first["priority"] == "4.7" and first["title"] == "Alpha ranking"
    killed = await export(world, headers={"Accept": "text/csv"}, q=TAG, status="killed")
    assert [r[0] for r in killed[1:]] == ["pf-05"]
    every = await export(world, format="csv", q=BULK)
    assert len(every) == 1 + 23  # every matching row, whatever the JSON page size


async def test_a_formula_in_a_title_is_exported_as_text(world: Site):
    await world.as_("olivia")
    iid = await world.propose(title='=HYPERLINK("http://x")', tags="pf-formula")
    rows = await export(world, format="csv", q="pf-formula")
    assert rows[1][:2] == [iid, '\'=HYPERLINK("http://x")']
    await world.as_("vera")


async def test_the_board_links_its_csv_export_with_its_filters(world: Site):
    html = await board(world, q=TAG, sort="days", status="active")
    link = unescape(re.search(r'id="export-csv" href="([^"]+)"', html)[1])  # type: ignore[index]
    assert link.startswith("/api/v1/initiatives?")
    assert all(part in link for part in ("format=csv", "sort=days", f"q={TAG}", "status=active"))
    rows = await export(world, **dict(p.split("=", 1) for p in link.split("?", 1)[1].split("&")))
    assert {r[3] for r in rows[1:]} == {"active"}


def pdf_text(body: bytes) -> str:
    reader = PdfReader(io.BytesIO(body))
    return "\n".join(page.extract_text() for page in reader.pages)


async def test_the_committee_pack_is_a_pdf_with_title_gate_readiness_kpis_and_votes(world: Site):
    r = await world.client.get("/api/v1/initiatives/pf-04/gate-pack")
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == "application/pdf" and r.content.startswith(b"%PDF")
    assert 'filename="committee-pack-pf-04-G3.pdf"' in r.headers["content-disposition"]
    text = " ".join(pdf_text(r.content).split())
    for expected in (
        "Delta pilot",
        "G3 review: Pilot to MVP",
        "Readiness for G3",
        "Human oversight defined",
        "Routing time",
        "clara",
        "go 1;",
        "Delta pilot: done by hand",
        "limited",
    ):
        assert expected in text, expected


async def test_the_pack_as_html_has_print_styles_and_the_same_content(world: Site):
    r = await world.client.get("/api/v1/initiatives/pf-04/gate-pack", params={"format": "html"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    assert (
        "@page" in r.text and "G3 review: Pilot to MVP" in r.text and "Readiness for G3" in r.text
    )
    negotiated = await world.client.get(
        "/api/v1/initiatives/pf-04/gate-pack", headers={"Accept": "text/html"}
    )
    assert negotiated.headers["content-type"].startswith("text/html")
    assert (await world.client.get("/api/v1/initiatives/nope/gate-pack")).status_code == 404


async def test_the_pack_is_linked_from_the_initiative_page_and_the_review_queue(world: Site):
    page = (await world.get("/initiatives/pf-04")).text
    assert 'href="/api/v1/initiatives/pf-04/gate-pack?format=pdf"' in page
    queue = (await world.get("/reviews")).text
    assert 'id="pack-pf-04"' in queue
