"""Owners on the pages: names without an account are marked, another owner sees no forms
and is refused, the owner hands ownership over with the page's form, and the board's
"Mine" filter keeps the signed-in user's initiatives."""

from __future__ import annotations

import uuid

import pytest

from infra.db import create_pool
from tests.accounts import ensure_user
from tests.integration.web.site import PASSWORD, Site, flashes, site

pytestmark = pytest.mark.asyncio(loop_scope="session")
__all__ = ["site"]

OSKAR = f"oskar-{uuid.uuid4().hex[:6]}"


async def with_oskar(site: Site) -> Site:
    if OSKAR not in site.users:
        pool = await create_pool(site.settings.database_url, max_size=1)
        try:
            site.users[OSKAR] = (await ensure_user(pool, OSKAR, "owner", password=PASSWORD))[0]
        finally:
            await pool.close()
    return site


async def test_another_owner_sees_no_forms_and_is_refused(site: Site):
    await with_oskar(site)
    await site.as_("olivia")
    iid = await site.propose(title="Olivia's own", team="carlos, ana")
    page = (await site.get(f"/initiatives/{iid}")).text
    assert 'id="owner">olivia<' in page
    assert 'id="team">carlos, ana <span class="hint">(no account)</span><' in page
    assert 'id="form-score"' in page and "Hand ownership over" in page

    await site.as_(OSKAR)
    page = (await site.get(f"/initiatives/{iid}")).text
    assert 'id="form-score"' not in page and "Hand ownership over" not in page
    score = {"value": "3", "feasibility": "3", "risk": "3", "strategic_fit": "3"}
    r = await site.post(f"/initiatives/{iid}/forms/score", score)
    assert any(f"{OSKAR} may not record ideation work" in f for f in flashes(r.text)), r.text


async def test_the_owner_hands_ownership_over_with_the_form_and_mine_follows(site: Site):
    await with_oskar(site)
    await site.as_("olivia")
    iid = await site.propose(title=f"Handed to {OSKAR}")
    r = await site.post(f"/initiatives/{iid}/owner", {"owner": OSKAR, "reason": "New role"})
    assert f"Ownership handed over to {OSKAR}." in flashes(r.text), r.text
    assert f'id="owner">{OSKAR}<' in r.text and "Ownership handed over" in r.text
    assert f'id="card-{iid}"' not in (await site.get("/", mine="1")).text

    await site.as_(OSKAR)
    assert f'id="card-{iid}"' in (await site.get("/", mine="1")).text
    assert 'name="mine" value="1" checked' in (await site.get("/", mine="1")).text
    page = (await site.get(f"/initiatives/{iid}")).text
    assert 'id="form-score"' in page and "Hand ownership over" in page

    await site.as_("olivia")
    r = await site.post(f"/initiatives/{iid}/owner", {"owner": "olivia"})
    assert any("not its owner" in f for f in flashes(r.text)), r.text
