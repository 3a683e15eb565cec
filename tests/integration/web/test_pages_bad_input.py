"""Bad input on the pages: a NUL in a form field or a date out of range comes back as the
form with a message next to the field (or the page with a notice), never a 500."""

from __future__ import annotations

import pytest

from tests.integration.web.site import IDEA, Site, errors, site

pytestmark = pytest.mark.asyncio(loop_scope="session")
__all__ = ["site"]


@pytest.mark.parametrize("field", ["title", "problem_statement", "owner", "team", "tags"])
async def test_a_nul_in_the_proposal_form_is_shown_next_to_the_field(site: Site, field: str):
    await site.as_("carlos")
    r = await site.post("/propose", {**IDEA, field: "Sharp\x00er"}, htmx=False)
    assert r.status_code == 200, r.text
    assert "NUL" in errors(r.text)[f"propose-{field}"]


async def test_a_nul_or_a_date_out_of_range_in_a_stage_form_is_shown_next_to_the_field(
    site: Site,
):
    await site.as_("carlos")
    iid = await site.propose(title="Bad workshop input")
    workshop = {"held_on": "2026-01-02", "participants": "ana", "outcome": "fine"}
    r = await site.post(f"/initiatives/{iid}/forms/workshop", {**workshop, "outcome": "\x00"})
    assert r.status_code == 200, r.text
    assert "NUL" in errors(r.text)["workshop-outcome"]
    r = await site.post(f"/initiatives/{iid}/forms/workshop", {**workshop, "held_on": "0001-01-01"})
    assert r.status_code == 200, r.text
    assert errors(r.text)["workshop-held_on"] == "Enter a date from 1900 to 2200"


@pytest.mark.parametrize("page", ["/", "/initiatives/{iid}"])
async def test_an_as_of_out_of_range_shows_the_current_state_with_a_notice(site: Site, page: str):
    await site.as_("carlos")
    iid = await site.propose(title="As of long ago")
    await site.as_("vera")
    r = await site.get(page.format(iid=iid), as_of="0001-01-01T00:00:00+14:00")
    assert r.status_code == 200, r.text
    assert "pick a date from 1900 to 2200" in r.text


async def test_a_nul_in_a_page_query_or_the_sign_in_form_is_no_500(site: Site):
    await site.as_("vera")
    assert (await site.get("/", q="a\x00")).status_code == 400
    await site.as_(None)
    r = await site.post("/signin", {"name": "ve\x00ra", "password": "x\x00"}, htmx=False)
    assert r.status_code in (200, 422), r.text
    assert "NUL" in r.text
