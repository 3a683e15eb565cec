"""The profile page: your own API tokens, a new one shown once, revoking one at once; never
anyone else's tokens; CSRF on every form."""

from __future__ import annotations

import re

import pytest

from api.tokens import issue
from infra.db import create_pool
from tests.integration.web.site import Site, flashes, site

pytestmark = pytest.mark.asyncio(loop_scope="session")
__all__ = ["site"]


async def token_for(site: Site, name: str, label: str) -> tuple[str, str]:
    """(token id, token) of a new token of the user `name`."""
    pool = await create_pool(site.settings.database_url, max_size=1)
    try:
        issued = await issue(pool, site.users[name].user_id, label, 30)
    finally:
        await pool.close()
    return issued.info.token_id, issued.token


async def api_status(site: Site, token: str) -> int:
    response = await site.client.get(
        "/api/v1/portfolio", headers={"Authorization": f"Bearer {token}"}
    )
    return response.status_code


async def test_the_header_links_to_the_profile_which_shows_only_your_own_tokens(site: Site):
    await token_for(site, "olivia", "olivias-laptop")
    await token_for(site, "carlos", "carlos-ci")
    await site.as_("olivia")
    assert 'href="/profile"' in (await site.get("/")).text
    page = (await site.get("/profile")).text
    assert "Your profile" in page and "olivias-laptop" in page
    assert "carlos-ci" not in page


async def test_a_new_token_is_shown_once_and_works_at_once(site: Site):
    await site.as_("vera")
    made = await site.post("/profile/tokens", {"name": "reporting", "days": "5"}, htmx=False)
    assert made.status_code == 200
    found = re.search(r'<code id="new-token-value">(tg_[^<]+)</code>', made.text)
    assert found is not None
    assert await api_status(site, found[1]) == 200
    again = (await site.get("/profile")).text
    assert "reporting" in again and found[1] not in again


async def test_a_token_revoked_on_the_profile_page_gets_401_at_its_next_request(site: Site):
    token_id, token = await token_for(site, "clara", "to-revoke")
    assert await api_status(site, token) == 200
    await site.as_("clara")
    done = await site.post(f"/profile/tokens/{token_id}/revoke", htmx=False)
    assert done.status_code == 303
    page = await site.client.get(done.headers["location"])
    assert flashes(page.text) == ["The token is revoked: it gets a 401 from now on."]
    assert f'action="/profile/tokens/{token_id}/revoke"' not in page.text
    assert await api_status(site, token) == 401


async def test_no_one_revokes_someone_elses_token_from_their_profile(site: Site):
    token_id, token = await token_for(site, "conrad", "conrads-own")
    await site.as_("olivia")
    refused = await site.post(f"/profile/tokens/{token_id}/revoke", htmx=False)
    assert refused.status_code == 404
    assert "No such token of yours." in refused.text
    assert await api_status(site, token) == 200


async def test_a_bad_token_lifetime_comes_back_with_the_reason(site: Site):
    await site.as_("olivia")
    bad = await site.post("/profile/tokens", {"name": "x", "days": "forever"}, htmx=False)
    assert bad.status_code == 422
    assert flashes(bad.text) == ["token lifetime: enter a whole number of days"]


@pytest.mark.parametrize("path", ["/profile/tokens", "/profile/tokens/x/revoke"])
async def test_the_profile_forms_need_the_csrf_token(site: Site, path: str):
    await site.as_("olivia")
    refused = await site.post(path, {"name": "sneaky"}, htmx=False, csrf=False)
    assert refused.status_code == 403
    assert "Form expired" in refused.text
