"""Users and tokens over HTTP, against the API as a real process: admins manage them, others
get 403; a revoked or expired token, or any token or session of a deactivated user, gets a
401 at its very next request."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest
import pytest_asyncio

from api.users import check_password
from infra.db import Pool, create_pool
from infra.settings import Settings
from tests.accounts import api_only, ensure_user
from tests.stack import Stack

pytestmark = pytest.mark.asyncio(loop_scope="session")
ROLES = ("viewer", "contributor", "owner", "committee", "admin")


class Accounts:
    def __init__(self, stack: Stack, pool: Pool, tokens: dict[str, str]) -> None:
        self.url, self.pool, self.tokens = stack.url, pool, tokens
        self.http = httpx.AsyncClient(base_url=f"{stack.url}/api/v1", timeout=30)

    async def call(
        self, method: str, path: str, who: str | None = "acc-admin", **kw: object
    ) -> httpx.Response:
        token = self.tokens.get(who or "", who)
        headers = {"Authorization": f"Bearer {token}"} if who else {}
        return await self.http.request(method, path, headers=headers, **kw)  # type: ignore[arg-type]

    async def new_user(self, name: str, role: str = "viewer") -> str:
        made = await self.call("POST", "/users", json={"name": name, "role": role})
        assert made.status_code == 201, made.text
        token: str = made.json()["token"]
        return token


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def accounts(settings: Settings) -> AsyncIterator[Accounts]:
    stack = await api_only(settings)
    pool = await create_pool(settings.database_url, max_size=2)
    tokens = {f"acc-{r}": (await ensure_user(pool, f"acc-{r}", r))[1] for r in ROLES}
    client = Accounts(stack, pool, tokens)
    try:
        yield client
    finally:
        await client.http.aclose()
        await pool.close()
        await stack.stop_all()


async def test_an_admin_creates_a_user_whose_first_token_works_and_a_taken_name_is_409(
    accounts: Accounts,
):
    made = await accounts.call(
        "POST", "/users", json={"name": "acc-bob", "role": "viewer", "password": "bob-first-1"}
    )
    assert made.status_code == 201, made.text
    body = made.json()
    assert body["active"] is True and body["token"].startswith("tg_")
    expires = datetime.fromisoformat(body["expires_at"])
    assert abs(expires - (datetime.now(UTC) + timedelta(days=90))) < timedelta(minutes=5)
    assert (await accounts.call("GET", "/portfolio", body["token"])).status_code == 200
    again = await accounts.call(
        "POST", "/users", json={"name": "acc-bob", "role": "admin", "password": "other-pass-2"}
    )
    assert again.status_code == 409
    assert "exists" in again.json()["detail"]
    assert await check_password(accounts.pool, "acc-bob", "bob-first-1") is not None
    listed = {u["name"]: u for u in (await accounts.call("GET", "/users")).json()}
    assert listed["acc-bob"]["role"] == "viewer"


async def test_an_admin_changes_a_role_and_a_password(accounts: Accounts):
    await accounts.new_user("acc-rita")
    changed = await accounts.call("PATCH", "/users/acc-rita", json={"role": "contributor"})
    assert changed.status_code == 200, changed.text
    assert changed.json()["role"] == "contributor" and changed.json()["active"] is True
    done = await accounts.call("POST", "/users/acc-rita/password", json={"password": "rita-new-1"})
    assert done.status_code == 204
    assert await check_password(accounts.pool, "acc-rita", "rita-new-1") is not None
    short = await accounts.call("POST", "/users/acc-rita/password", json={"password": "short"})
    assert short.status_code == 422
    nobody = await accounts.call("PATCH", "/users/acc-nobody", json={"role": "viewer"})
    assert nobody.status_code == 404


async def test_an_admin_lists_and_creates_tokens_with_a_name_and_an_expiry(accounts: Accounts):
    await accounts.new_user("acc-tess")
    made = await accounts.call("POST", "/users/acc-tess/tokens", json={"name": "ci", "days": 7})
    assert made.status_code == 201, made.text
    token = made.json()
    expires = datetime.fromisoformat(token["expires_at"])
    assert abs(expires - (datetime.now(UTC) + timedelta(days=7))) < timedelta(minutes=5)
    listed = (await accounts.call("GET", "/users/acc-tess/tokens")).json()
    assert [t["name"] for t in listed] == ["ci", "first token"]
    assert all(t["state"] == "active" and "token" not in t for t in listed)
    assert (await accounts.call("GET", "/users/acc-nobody/tokens")).status_code == 404
    every = (await accounts.call("GET", "/tokens")).json()
    assert token["token_id"] in {t["token_id"] for t in every}


async def test_a_revoked_token_gets_401_at_its_next_request(accounts: Accounts):
    token = await accounts.new_user("acc-rev")
    assert (await accounts.call("GET", "/portfolio", token)).status_code == 200
    (info,) = (await accounts.call("GET", "/users/acc-rev/tokens")).json()
    assert (await accounts.call("DELETE", f"/tokens/{info['token_id']}")).status_code == 204
    refused = await accounts.call("GET", "/portfolio", token)
    assert refused.status_code == 401
    assert "revoked" in refused.json()["detail"]
    (info,) = (await accounts.call("GET", "/users/acc-rev/tokens")).json()
    assert info["state"] == "revoked" and info["revoked_at"]


async def test_an_expired_token_gets_401(accounts: Accounts):
    """At its expiry, though the API process keeps token -> user for a few seconds."""
    token = await accounts.new_user("acc-old")
    await accounts.pool.execute(
        "UPDATE api.tokens t SET expires_at = now() + interval '1 second' FROM api.users u"
        " WHERE u.user_id = t.user_id AND u.name = 'acc-old'"
    )
    await asyncio.sleep(0.1)  # the change is heard (NOTIFY) before the token is kept
    assert (await accounts.call("GET", "/portfolio", token)).status_code == 200
    assert (await accounts.call("GET", "/portfolio", token)).status_code == 200  # kept
    await asyncio.sleep(1.1)
    refused = await accounts.call("GET", "/portfolio", token)
    assert refused.status_code == 401
    assert "expired" in refused.json()["detail"]


async def test_a_deactivated_users_token_gets_401_until_they_are_reactivated(accounts: Accounts):
    token = await accounts.new_user("acc-gone")
    off = await accounts.call("PATCH", "/users/acc-gone", json={"active": False})
    assert off.status_code == 200 and off.json()["active"] is False
    refused = await accounts.call("GET", "/portfolio", token)
    assert refused.status_code == 401
    assert "deactivated" in refused.json()["detail"]
    assert (await accounts.call("PATCH", "/users/acc-gone", json={"active": True})).is_success
    assert (await accounts.call("GET", "/portfolio", token)).status_code == 200


async def test_a_deactivated_users_session_ends_at_the_next_page(accounts: Accounts):
    await accounts.call("POST", "/users", json={"name": "acc-page", "role": "viewer",
                                                "password": "page-pass-1"})  # fmt: skip
    async with httpx.AsyncClient(base_url=accounts.url, timeout=30) as browser:
        await browser.get("/signin")
        form = {"name": "acc-page", "password": "page-pass-1",
                "_csrf_token": browser.cookies["csrftoken"]}  # fmt: skip
        assert (await browser.post("/signin", data=form)).status_code == 303
        assert (await browser.get("/profile")).status_code == 200
        await accounts.call("PATCH", "/users/acc-page", json={"active": False})
        page = await browser.get("/profile")
        assert page.status_code == 303 and page.headers["location"].startswith("/signin")
        assert (await browser.get("/api/v1/portfolio")).status_code == 401


async def test_everyone_revokes_their_own_tokens_and_no_one_elses(accounts: Accounts):
    mine = await accounts.new_user("acc-own")
    theirs = await accounts.new_user("acc-other")
    ids = {
        n: (await accounts.call("GET", f"/users/{n}/tokens")).json()[0]["token_id"]
        for n in ("acc-own", "acc-other")
    }
    assert (await accounts.call("DELETE", f"/tokens/{ids['acc-other']}", mine)).status_code == 404
    assert (await accounts.call("GET", "/portfolio", theirs)).status_code == 200
    assert (await accounts.call("DELETE", f"/tokens/{ids['acc-own']}", mine)).status_code == 204
    assert (await accounts.call("GET", "/portfolio", mine)).status_code == 401


async def test_a_token_records_its_last_use_at_most_once_a_minute(accounts: Accounts):
    token = await accounts.new_user("acc-used")
    (before,) = (await accounts.call("GET", "/users/acc-used/tokens")).json()
    assert before["last_used_at"] is None
    await accounts.call("GET", "/portfolio", token)
    (first,) = (await accounts.call("GET", "/users/acc-used/tokens")).json()
    assert first["last_used_at"] is not None
    await accounts.call("GET", "/portfolio", token)
    (second,) = (await accounts.call("GET", "/users/acc-used/tokens")).json()
    assert second["last_used_at"] == first["last_used_at"]  # no write per request


ADMIN_CALLS = [
    ("GET", "/users", None),
    ("POST", "/users", {"name": "acc-never", "role": "viewer"}),
    ("PATCH", "/users/acc-viewer", {"role": "admin"}),
    ("POST", "/users/acc-viewer/password", {"password": "taken-over-1"}),
    ("GET", "/users/acc-viewer/tokens", None),
    ("POST", "/users/acc-viewer/tokens", {"name": "x"}),
    ("GET", "/tokens", None),
]


@pytest.mark.parametrize(("method", "path", "body"), ADMIN_CALLS, ids=lambda v: str(v)[:30])
async def test_only_admins_manage_users_and_tokens(
    accounts: Accounts, method: str, path: str, body: object
):
    kw = {"json": body} if body is not None else {}
    assert (await accounts.call(method, path, None, **kw)).status_code == 401
    for role in ROLES[:-1]:
        response = await accounts.call(method, path, f"acc-{role}", **kw)
        assert response.status_code == 403, (role, response.text)
