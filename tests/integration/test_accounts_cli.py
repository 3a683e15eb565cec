"""`tollgate users ...` and `tollgate tokens ...` on a database of their own: the first admin
made from the shell, refusals that change nothing, the last admin kept, tokens made, listed
and revoked; and the demo users, made only where they do not exist and never reset."""

from __future__ import annotations

import asyncio
import re
import uuid
from collections.abc import AsyncIterator, Callable

import pytest
import pytest_asyncio

from api.users import check_password, set_password, update_user
from infra.db import connect, create_pool
from infra.migrations import migrate_all
from infra.settings import Settings
from launch import demo
from launch.cli import main

Cli = Callable[..., tuple[int, str, str]]
TOKEN = re.compile(r"^tg_\S+$", re.M)


@pytest_asyncio.fixture(loop_scope="session")
async def fresh(pg_server_url: str) -> AsyncIterator[str]:
    """A database with Tollgate's schemas and nothing in them."""
    name = f"tollgate_accounts_{uuid.uuid4().hex[:8]}"
    server = await connect(pg_server_url)
    await server.execute(f"CREATE DATABASE {name}")
    base, _, query = pg_server_url.partition("?")
    url = base.rsplit("/", 1)[0] + f"/{name}" + (f"?{query}" if query else "")
    await migrate_all(url)
    yield url
    await server.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    await server.close()


@pytest.fixture
def cli(fresh: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Cli:
    monkeypatch.setenv("DATABASE_URL", fresh)

    def run(*argv: str) -> tuple[int, str, str]:
        code = main(list(argv))
        out = capsys.readouterr()
        return code, out.out, out.err

    return run


def password_ok(url: str, name: str, password: str) -> bool:
    async def check() -> bool:
        pool = await create_pool(url, max_size=1)
        try:
            return await check_password(pool, name, password) is not None
        finally:
            await pool.close()

    return asyncio.run(check())


def test_the_first_admin_is_made_from_the_shell_and_is_never_overwritten(cli: Cli, fresh: str):
    assert cli("users", "list")[1].strip() == "no users yet"
    code, out, _ = cli("users", "add", "root", "--role", "admin", "--password", "first-pass-1")
    assert code == 0 and TOKEN.search(out) and "shown once" in out
    code, _, err = cli("users", "add", "root", "--role", "viewer", "--password", "other-pass-2")
    assert code == 2 and "exists already" in err
    code, _, err = cli("users", "set-role", "root", "viewer")
    assert code == 2 and "last active admin" in err
    code, _, err = cli("users", "deactivate", "root")
    assert code == 2 and "last active admin" in err
    assert re.search(r"^root\s+admin\s+person\s+active", cli("users", "list")[1], re.M)


def test_the_password_an_admin_set_stays_after_every_refusal(cli: Cli, fresh: str):
    cli("users", "add", "root", "--role", "admin", "--password", "first-pass-1")
    cli("users", "add", "root", "--role", "admin", "--password", "other-pass-2")
    assert password_ok(fresh, "root", "first-pass-1")
    assert not password_ok(fresh, "root", "other-pass-2")


def test_roles_activity_and_passwords_change_only_by_command(cli: Cli, fresh: str):
    cli("users", "add", "root", "--role", "admin")
    assert cli("users", "add", "bob", "--role", "viewer")[0] == 0
    assert cli("users", "set-role", "bob", "owner")[1].strip() == "bob now has the owner role"
    assert cli("users", "deactivate", "bob")[0] == 0
    assert re.search(r"^bob\s+owner\s+person\s+deactivated", cli("users", "list")[1], re.M)
    assert cli("users", "activate", "bob")[0] == 0
    code, out, _ = cli("users", "reset-password", "bob")
    generated = out.rsplit(": ", 1)[-1].strip()
    assert code == 0 and password_ok(fresh, "bob", generated)
    assert cli("users", "reset-password", "bob", "--password", "bobs-own-pass")[0] == 0
    assert password_ok(fresh, "bob", "bobs-own-pass")
    code, _, err = cli("users", "reset-password", "nobody", "--password", "whatever-1")
    assert code == 2 and "no user named 'nobody'" in err


def test_tokens_are_made_listed_and_revoked(cli: Cli):
    cli("users", "add", "ana", "--role", "contributor")
    code, out, _ = cli("tokens", "create", "ana", "--name", "ci-job", "--days", "3")
    assert code == 0 and TOKEN.search(out)
    token_id = re.search(r"id ([0-9a-f-]{36})", out)
    assert token_id is not None
    listed = cli("tokens", "list", "ana")[1]
    assert re.search(rf"^{token_id[1]}\s+ana\s+ci-job\s+active", listed, re.M)
    assert "first token" in listed
    assert cli("tokens", "revoke", token_id[1])[0] == 0
    assert re.search(rf"^{token_id[1]}\s+ana\s+ci-job\s+revoked", cli("tokens", "list")[1], re.M)
    code, _, err = cli("tokens", "revoke", str(uuid.uuid4()))
    assert code == 2 and "no token" in err
    code, _, err = cli("tokens", "create", "ana", "--days", "0")
    assert code == 2 and "lifetime" in err


async def test_the_demo_users_are_made_once_and_never_reset(fresh: str):
    pool = await create_pool(fresh, max_size=2)
    try:
        first = await demo.demo_users(pool, 90)
        assert sum("API token:" in line for line in first) == len(demo.USERS)
        await set_password(pool, "admin", "chosen-by-admin")
        await update_user(pool, "vera", role="contributor")
        again = await demo.demo_users(pool, 90)
        assert not any("API token:" in line for line in again)
        assert await check_password(pool, "admin", "chosen-by-admin") is not None
        assert await check_password(pool, "admin", demo.PASSWORD) is None
        assert (
            await pool.fetchval("SELECT role FROM api.users WHERE name = 'vera'") == "contributor"
        )
        tokens = await pool.fetchval("SELECT count(*) FROM api.tokens")
        started = Settings(database_url=fresh, demo=True)
        assert await demo.ensure_demo(started, "") == [demo.REMINDER]  # no fresh store: no seed
        assert await pool.fetchval("SELECT count(*) FROM api.tokens") == tokens
    finally:
        await pool.close()


async def test_a_real_instance_starts_with_no_users_and_says_how_to_add_the_first_admin(
    fresh: str,
):
    assert await demo.ensure_demo(Settings(database_url=fresh, demo=False), "") == [demo.NO_USERS]
    server = await connect(fresh)
    try:
        assert await server.fetchval("SELECT count(*) FROM api.users") == 0
    finally:
        await server.close()
