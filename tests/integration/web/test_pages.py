"""Sign-in, CSRF, the board with its filters, charts and as-of view, and proposing an idea."""

from __future__ import annotations

import pytest

from tests.integration.web.site import IDEA, PASSWORD, Site, errors, flashes, site

pytestmark = pytest.mark.asyncio(loop_scope="session")
__all__ = ["site"]


async def test_a_page_without_a_session_redirects_to_sign_in(site: Site):
    await site.as_(None)
    r = await site.client.get("/reviews", follow_redirects=False)
    assert r.status_code == 303
    assert r.headers["location"] == "/signin?next=/reviews"
    r = await site.get("/", htmx=True)
    assert r.headers["hx-redirect"].startswith("/signin")


async def test_sign_in_with_a_wrong_password_shows_the_error_and_no_session(site: Site):
    await site.as_(None)
    r = await site.post("/signin", {"name": "olivia", "password": "nope"}, htmx=False)
    assert r.status_code == 200
    assert flashes(r.text) == ["That name and password do not match."]
    assert 'aria-invalid="true"' in r.text
    assert "tollgate_session" not in site.client.cookies


async def test_sign_in_sets_the_session_and_sign_out_forgets_it(site: Site):
    await site.as_(None)
    r = await site.post("/signin", {"name": "olivia", "password": PASSWORD, "next": "/reviews"},
                        htmx=False)  # fmt: skip
    assert r.status_code == 303 and r.headers["location"] == "/reviews"
    page = await site.get("/")
    assert "Signed in as <strong>olivia</strong> (owner)" in page.text
    assert await site.client.get("/signin", follow_redirects=False)  # a signed-in user goes on
    r = await site.post("/signout", htmx=False)
    assert r.status_code == 303 and r.headers["location"] == "/signin"
    assert (await site.client.get("/", follow_redirects=False)).status_code == 303


async def test_sign_in_never_redirects_to_another_site(site: Site):
    await site.as_(None)
    r = await site.post("/signin", {"name": "olivia", "password": PASSWORD,
                                    "next": "//evil.example/"}, htmx=False)  # fmt: skip
    assert r.headers["location"] == "/"


@pytest.mark.parametrize("path", ["/signin", "/propose", "/signout"])
async def test_a_form_post_without_the_csrf_token_is_refused(site: Site, path: str):
    await site.as_("olivia")
    r = await site.post(path, {"name": "olivia", "password": PASSWORD, **IDEA}, csrf=False)
    assert r.status_code == 403
    assert "Form expired" in r.text and "Reload the page" in r.text  # a page, not JSON
    assert r.headers["content-type"].startswith("text/html")


async def test_a_form_post_with_a_forged_csrf_token_is_refused(site: Site):
    await site.as_("olivia")
    site.csrf = "forged." + site.csrf[7:]
    r = await site.post("/propose", IDEA, htmx=False)
    assert r.status_code == 403


async def test_the_bearer_token_api_needs_no_csrf_token_and_refuses_cookie_writes(site: Site):
    await site.as_("olivia")
    r = await site.client.post("/api/v1/initiatives", json={})
    assert r.status_code == 401  # the session cookie does not authorise API writes


async def test_the_board_has_a_column_per_stage_cards_and_the_portfolio_charts(site: Site):
    await site.as_("olivia")
    iid = await site.propose(title="Board card idea")
    r = await site.get("/")
    assert r.status_code == 200 and r.headers["vary"].startswith("HX-Request")
    for stage in ("ideation", "poc", "pilot", "mvp", "production"):
        assert f'data-stage="{stage}"' in r.text
    assert f'id="card-{iid}"' in r.text
    ideation = r.text.split('data-stage="ideation"')[1].split('data-stage="poc"')[0]
    assert "Board card idea" in ideation and "status-active" in ideation
    assert 'role="progressbar"' in ideation
    assert r.text.count("<svg") == 4
    for title in ("Funnel", "Conversion per gate", "kill rate", "cycle time"):
        assert title in r.text
    assert 'sse-connect="/api/v1/events/stream"' in r.text


async def test_board_filters_swap_only_the_board_for_htmx(site: Site):
    await site.as_("olivia")
    await site.propose(title="Filter me please", owner="carlos")
    r = await site.get("/", htmx=True, q="filter me")
    assert r.status_code == 200 and "<html" not in r.text
    assert "Filter me please" in r.text and "Board card idea" not in r.text
    r = await site.get("/", htmx=True, owner="carlos", status="active")
    assert "Filter me please" in r.text
    r = await site.get("/", htmx=True, owner="carlos", status="killed")
    assert "Filter me please" not in r.text
    r = await site.get("/", htmx=True, risk_class="high")
    assert "Filter me please" not in r.text


async def test_board_as_of_shows_the_portfolio_at_that_date(site: Site):
    await site.as_("olivia")
    await site.propose(title="Not yet born")
    before = await site.get("/", as_of="2020-01-01")
    assert "The board as of 2020-01-01" in before.text and "Not yet born" not in before.text
    now = await site.get("/", as_of="2999-01-01")
    assert "Not yet born" in now.text
    bad = await site.get("/", as_of="yesterday-ish")
    assert "is not a date" in bad.text and "Not yet born" in bad.text


async def test_propose_shows_every_missing_field_next_to_it(site: Site):
    await site.as_("carlos")
    r = await site.post("/propose", {"title": "", "ai_category": "other"}, htmx=False)
    assert r.status_code == 200
    assert errors(r.text) == {
        "propose-title": "Enter the title",
        "propose-problem_statement": "Enter the problem statement",
        "propose-business_goal": "Enter the business goal",
        "propose-sponsor": "Enter the sponsor", "propose-owner": "Enter the owner",
    }  # fmt: skip
    assert 'aria-describedby="propose-title-error"' in r.text


@pytest.mark.parametrize(("field", "value", "message"), [
    ("title", "x" * 201, "Use at most 200 characters"),
    ("ai_category", "astrology", "Choose one of: generative"),
    ("tags", ",".join(["t"] * 51), "Give at most 50 entries"),
])  # fmt: skip
async def test_propose_rejects_invalid_values_and_keeps_the_input(
    site: Site, field: str, value: str, message: str
):
    await site.as_("carlos")
    r = await site.post("/propose", {**IDEA, field: value}, htmx=False)
    assert errors(r.text)[f"propose-{field}"].startswith(message)
    assert 'value="CFO"' in r.text  # what was typed stays


async def test_propose_starts_an_initiative_and_opens_its_page(site: Site):
    await site.as_("carlos")
    page = await site.get("/propose")
    assert 'value="carlos"' in page.text  # the owner defaults to the user
    iid = await site.propose(title="Fresh idea")
    r = await site.get(f"/initiatives/{iid}")
    assert '<h1 id="title">Fresh idea</h1>' in r.text
    assert ">Idea proposed<" in r.text and "by <strong>carlos</strong>" in r.text


async def test_a_viewer_cannot_propose(site: Site):
    await site.as_("vera")
    assert 'href="/propose"' not in (await site.get("/")).text
    assert (await site.get("/propose")).status_code == 403
    r = await site.post("/propose", IDEA, htmx=False)
    assert r.status_code == 403 and "viewer" in r.text
