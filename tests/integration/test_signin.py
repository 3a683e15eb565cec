"""Sign-in protection and sessions against the API as a real process (its throttle and
sessions in PostgreSQL): held-back and locked names, a held-back address, unknown names
answered like wrong passwords, idle and absolute session limits, sign-out, secure cookies,
and /metrics for admins only. A process of its own, with a lock after 4 failures."""

from __future__ import annotations

import asyncio
import logging
import re
import uuid
from collections.abc import AsyncIterator

import httpx
import msgspec
import nats
import pytest
import pytest_asyncio
from litestar.testing import AsyncTestClient

from api.signin import SignIn
from infra.db import Pool, create_pool
from infra.migrations import migrate_all
from infra.settings import Settings
from tests.accounts import ensure_user
from tests.stack import Stack
from web.app import create_web_app

pytestmark = pytest.mark.asyncio(loop_scope="session")
PASSWORD = "correct horse battery"
LOCK_AFTER = 4  # so: 3 failures at once, then 1 s, then the lock; an address: 15, then 1 s


class Site(msgspec.Struct):
    url: str
    pool: Pool
    names: dict[str, str]  # role -> the user's name, unique to this run
    tokens: dict[str, str]


class SignInApi(Stack):
    """Only the API (ready once /health answers at all), locking a name after 4 failures."""

    def env(self, name: str = "api") -> dict[str, str]:
        return {**super().env(name), "TOLLGATE_SIGNIN_LOCK_AFTER": str(LOCK_AFTER)}

    async def _ready(self, nc: nats.NATS, name: str) -> bool:
        try:
            async with httpx.AsyncClient() as client:
                await client.get(f"{self.url}/health", timeout=1)
        except httpx.HTTPError:
            return False
        return True


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def site(settings: Settings) -> AsyncIterator[Site]:
    await migrate_all(settings.database_url)
    pool = await create_pool(settings.database_url, max_size=4)
    run = uuid.uuid4().hex[:6]
    names = {role: f"{role}-{run}" for role in ("owner", "viewer", "admin", "committee")}
    tokens = {}
    for role, name in names.items():
        tokens[role] = (await ensure_user(pool, name, role, password=PASSWORD))[1]
    stack = SignInApi(settings)
    await stack.start("api")
    try:
        yield Site(stack.url, pool, names, tokens)
    finally:
        await forget_addresses(pool)
        await stack.stop_all()
        await pool.close()


async def forget_addresses(pool: Pool) -> None:
    """Every test signs in from 127.0.0.1: start each with a clean address (and leave one)."""
    await pool.execute("DELETE FROM api.signin_failures WHERE key LIKE 'address:%'")


@pytest_asyncio.fixture(loop_scope="session")
async def http(site: Site) -> AsyncIterator[httpx.AsyncClient]:
    await forget_addresses(site.pool)
    async with httpx.AsyncClient(base_url=site.url, timeout=30) as client:
        await client.get("/signin")  # the CSRF cookie
        yield client


async def sign_in(http: httpx.AsyncClient, name: str, password: str) -> httpx.Response:
    csrf = {"x-csrftoken": http.cookies.get("csrftoken") or ""}
    form = {"name": name, "password": password}
    return await http.post("/signin", data=form, headers=csrf, follow_redirects=False)


def flash(response: httpx.Response) -> str:
    found = re.search(r'<p class="flash flash-error"[^>]*>([^<]*)', response.text)
    return found.group(1) if found else ""


async def test_failures_hold_the_name_back_then_lock_it_and_the_right_password_is_refused(
    site: Site, http: httpx.AsyncClient
):
    name = site.names["owner"]
    for _ in range(3):
        wrong = await sign_in(http, name, "not the password")
        assert wrong.status_code == 200 and flash(wrong) == "That name and password do not match."
    held = await sign_in(http, name, PASSWORD)  # right, but too soon: not even checked
    assert held.status_code == 429 and held.headers["retry-after"] == "1"
    assert "Too many failed sign-ins for this name" in flash(held)
    assert "tollgate_session" not in http.cookies
    await asyncio.sleep(float(held.headers["retry-after"]))  # the delay is what is tested
    assert (await sign_in(http, name, "still not it")).status_code == 200  # the 4th: locked
    locked = await sign_in(http, name, PASSWORD)
    assert locked.status_code == 429 and int(locked.headers["retry-after"]) > 800
    assert "locked for 15 more minutes" in flash(locked)
    assert "tollgate_session" not in http.cookies


async def test_an_unknown_name_is_answered_like_a_wrong_password(
    site: Site, http: httpx.AsyncClient
):
    unknown = await sign_in(http, f"nobody-{uuid.uuid4().hex[:6]}", "not the password")
    wrong = await sign_in(http, site.names["viewer"], "not the password")
    assert (unknown.status_code, flash(unknown)) == (wrong.status_code, flash(wrong))


async def test_failures_over_many_names_hold_the_address_back(site: Site, http: httpx.AsyncClient):
    for _ in range(15):
        assert (await sign_in(http, f"guess-{uuid.uuid4().hex[:8]}", "x")).status_code == 200
    held = await sign_in(http, site.names["viewer"], PASSWORD)
    assert held.status_code == 429 and "for your address" in flash(held)


async def test_a_session_ends_after_the_idle_limit_and_after_the_absolute_limit(
    site: Site, http: httpx.AsyncClient
):
    name = site.names["viewer"]
    for expired in (
        "last_seen_at = now() - interval '8 hours 1 minute'",
        "created_at = now() - interval '7 days 1 minute'",
    ):
        assert (await sign_in(http, name, PASSWORD)).status_code == 303
        assert (await http.get("/", follow_redirects=False)).status_code == 200
        await site.pool.execute(
            f"UPDATE api.sessions SET {expired} WHERE user_id ="
            " (SELECT user_id FROM api.users WHERE name = $1)",
            name,
        )
        gone = await http.get("/", follow_redirects=False)
        assert gone.status_code == 303 and gone.headers["location"].startswith("/signin")


async def test_sign_out_ends_the_session_for_every_copy_of_the_cookie(
    site: Site, http: httpx.AsyncClient
):
    assert (await sign_in(http, site.names["committee"], PASSWORD)).status_code == 303
    copy = http.cookies["tollgate_session"]
    csrf = {"x-csrftoken": http.cookies.get("csrftoken") or ""}
    assert (await http.post("/signout", headers=csrf)).status_code == 303
    replayed = await http.get("/", headers={"Cookie": f"tollgate_session={copy}"})
    assert replayed.status_code == 303


async def test_the_session_cookie_is_http_only_and_not_secure_by_default(
    site: Site, http: httpx.AsyncClient
):
    signed_in = await sign_in(http, site.names["committee"], PASSWORD)
    cookie = signed_in.headers["set-cookie"].lower()
    assert "httponly" in cookie and "secure" not in cookie


async def test_tollgate_secure_cookies_marks_the_session_and_csrf_cookies_secure(
    settings: Settings, site: Site
):
    secure = msgspec.structs.replace(settings, secure_cookies=True)
    app = create_web_app(secure)
    async with AsyncTestClient(app=app, base_url="https://tollgate.example") as client:
        form = await client.get("/signin")
        assert "secure" in form.headers["set-cookie"].lower()
        csrf = {"x-csrftoken": client.cookies.get("csrftoken") or ""}
        data = {"name": site.names["committee"], "password": PASSWORD}
        signed_in = await client.post("/signin", data=data, headers=csrf, follow_redirects=False)
        assert signed_in.status_code == 303
        session = next(v for k, v in signed_in.headers.multi_items() if k == "set-cookie")
        assert session.startswith("tollgate_session=") and "secure" in session.lower()


async def test_metrics_need_an_admins_token(site: Site):
    async with httpx.AsyncClient(base_url=site.url) as client:
        assert (await client.get("/metrics")).status_code == 401
        bearer = {"Authorization": f"Bearer {site.tokens['viewer']}"}
        assert (await client.get("/metrics", headers=bearer)).status_code == 403
        bearer = {"Authorization": f"Bearer {site.tokens['admin']}"}
        metrics = await client.get("/metrics", headers=bearer)
    assert metrics.status_code == 200 and "tollgate_http_requests_total" in metrics.text


async def test_parallel_guesses_cannot_pass_the_limits_and_failures_and_locks_are_logged(
    settings: Settings, site: Site, caplog: pytest.LogCaptureFixture
):
    guard = SignIn(site.pool, msgspec.structs.replace(settings, signin_lock_after=LOCK_AFTER))
    name, address, now = (
        f"target-{uuid.uuid4().hex[:6]}",
        f"198.51.100.{uuid.uuid4().int % 250}",
        1e9,
    )
    caplog.set_level(logging.INFO, logger="tollgate.signin")
    outcomes = await asyncio.gather(*(guard.attempt(name, "guess", address, now) for _ in range(8)))
    assert sum(o.refused is None for o in outcomes) == 3  # the free ones; the rest held back
    later = await guard.attempt(name, "guess", address, now + 1)  # the 4th failure: locked
    assert later.refused is None
    locked = await guard.attempt(name, "guess", address, now + 2)
    assert locked.refused is not None and locked.refused.locked
    messages = [r.getMessage() for r in caplog.records]
    assert sum(m.startswith(f"sign-in failed for {name!r} from {address}") for m in messages) == 4
    assert any(m.startswith(f"sign-in locked for the name {name!r} until") for m in messages)
