"""The initiative page and its stage-work forms, every form's validation errors, role-based
visibility and refusal, and the as-of view."""

from __future__ import annotations

import pytest

from tests.integration.web.site import Site, errors, flashes, site

pytestmark = pytest.mark.asyncio(loop_scope="session")
__all__ = ["site"]

# form -> (a bad submission, the field id and the start of its message)
BAD_IDEATION = {
    "workshop": ({"held_on": "2026-02-30", "participants": "ana", "outcome": "ok"},
                 "workshop-held_on", "Enter a valid date"),
    "score": ({"value": "6", "feasibility": "3", "risk": "3", "strategic_fit": "3"},
              "score-value", "Enter a number at most 5"),
    "sourcing": ({"sourcing": "steal", "rationale": "why not"},
                 "sourcing-sourcing", "Choose one of: build, buy, partner"),
    "risk": ({"risk_class": "limited", "rationale": ""}, "risk-rationale", "Enter the rationale"),
}  # fmt: skip


async def test_the_initiative_page_shows_header_readiness_timeline_and_stage_forms(site: Site):
    await site.as_("carlos")
    iid = await site.propose(title="Page anatomy")
    r = await site.get(f"/initiatives/{iid}")
    assert r.status_code == 200
    assert 'id="status">active<' in r.text and ">Ideation<" in r.text
    assert "Readiness for G1" in r.text
    assert '<li class="met">' in r.text and '<li class="unmet">' in r.text
    assert "Idea proposed" in r.text and "<time datetime=" in r.text
    for key in ("workshop", "score", "sourcing", "risk"):
        assert f'id="form-{key}"' in r.text
    assert 'id="form-hypothesis"' not in r.text
    assert f'sse-connect="/api/v1/events/stream?initiative_id={iid}"' in r.text
    assert "Request G1 review" not in r.text  # a contributor may not request it


@pytest.mark.parametrize("key", sorted(BAD_IDEATION))
async def test_each_ideation_form_shows_its_error_next_to_the_field_with_200(site: Site, key: str):
    await site.as_("carlos")
    iid = await site.propose(title=f"Bad {key}")
    data, field_id, message = BAD_IDEATION[key]
    r = await site.post(f"/initiatives/{iid}/forms/{key}", data)
    assert r.status_code == 200 and "<html" not in r.text
    assert errors(r.text)[field_id].startswith(message)
    assert f'id="{field_id}"' in r.text and 'aria-invalid="true"' in r.text


async def test_a_missing_required_field_is_named(site: Site):
    await site.as_("carlos")
    iid = await site.propose(title="Empty workshop")
    r = await site.post(f"/initiatives/{iid}/forms/workshop", {})
    assert errors(r.text) == {"workshop-held_on": "Enter the date held",
                              "workshop-participants": "Enter the participants",
                              "workshop-outcome": "Enter the outcome"}  # fmt: skip


async def test_without_htmx_an_error_renders_the_form_page_and_success_redirects(site: Site):
    await site.as_("carlos")
    iid = await site.propose(title="No script")
    r = await site.post(f"/initiatives/{iid}/forms/score", {"value": "x"}, htmx=False)
    assert r.status_code == 200 and "<html" in r.text
    assert errors(r.text)["score-value"] == "Enter a whole number"
    ok = {"value": "4", "feasibility": "4", "risk": "2", "strategic_fit": "5"}
    r = await site.post(f"/initiatives/{iid}/forms/score", ok, htmx=False)
    assert r.status_code == 303 and r.headers["location"] == f"/initiatives/{iid}"


async def test_a_recorded_form_comes_back_empty_and_tells_the_page_to_refresh(site: Site):
    await site.as_("carlos")
    iid = await site.propose(title="Recorded")
    r = await site.work(iid, "workshop", {"held_on": "2026-01-15", "participants": "ana, ben",
                                          "outcome": "Worth a PoC"})  # fmt: skip
    assert r.headers["hx-trigger"] == "tollgate:recorded"
    assert flashes(r.text) == ["Ideation workshop recorded."]
    fragment = {"HX-Request": "true", "HX-Target": "live"}
    page = await site.client.get(f"/initiatives/{iid}", headers=fragment)
    assert "<html" not in page.text and "Workshop held" in page.text
    assert "outcome “Worth a PoC”" in page.text  # the timeline says it in words


async def test_a_viewer_sees_no_forms_and_a_post_is_refused(site: Site):
    await site.as_("carlos")
    iid = await site.propose(title="Read only")
    await site.as_("vera")
    r = await site.get(f"/initiatives/{iid}")
    assert 'id="form-' not in r.text and "Readiness for G1" in r.text
    r = await site.post(f"/initiatives/{iid}/forms/score", {"value": "3"})
    assert r.status_code == 403 and "viewer" in r.text
    r = await site.post(f"/initiatives/{iid}/gate-review")
    assert r.status_code == 403


async def test_unknown_forms_and_initiatives_are_not_found(site: Site):
    await site.as_("carlos")
    iid = await site.propose(title="Known")
    assert (await site.post(f"/initiatives/{iid}/forms/astrology", {})).status_code == 404
    r = await site.get("/initiatives/no-such-thing")
    assert r.status_code == 404 and "no initiative" in r.text


async def test_as_of_shows_the_past_state_without_forms(site: Site):
    await site.as_("carlos")
    iid = await site.propose(title="Time travel")
    r = await site.get(f"/initiatives/{iid}", as_of="2199-12-31")
    assert "The state as of 2199-12-31" in r.text and 'id="form-' not in r.text
    r = await site.get(f"/initiatives/{iid}", as_of="2199-12-31T10:30")  # datetime-local
    assert "The state as of 2199-12-31 10:30" in r.text and 'value="2199-12-31T10:30"' in r.text
    assert "sse-connect" not in r.text
    assert (await site.get(f"/initiatives/{iid}", as_of="2000-01-01")).status_code == 404
    r = await site.get(f"/initiatives/{iid}", as_of="soon")
    assert "is not a date" in r.text and 'id="form-score"' in r.text
