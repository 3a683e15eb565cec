"""Per-service databases: the four stage services, the projection and the API (with its webhook
worker) each in a database of its own, every service a real process. An initiative goes
from idea to launch through the HTTP API, and afterwards each database holds exactly its own
service's schema, so no service read or wrote another's tables (it would have failed on a
missing table, or left its schema behind), and DATABASE_URL, the fallback, stayed empty."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import AsyncIterator

import msgspec
import pytest
import pytest_asyncio

from infra.db import connect
from infra.migrations import migrate_each
from infra.settings import Settings
from launch.cli import SERVICES
from tests.integration.api_stack import Api, make_users
from tests.integration.test_api_lifecycle import IDEA, ideation, launched, mvp, pilot, poc, step
from tests.stack import Stack

pytestmark = pytest.mark.asyncio(loop_scope="session")
# every service with a database of its own (the webhook worker uses the API's)
OWN = ("ideation", "poc", "pilot", "mvp", "agents", "trends", "projection", "api")


def _url(server_url: str, name: str) -> str:
    base, _, query = server_url.partition("?")
    return base.rsplit("/", 1)[0] + f"/{name}" + (f"?{query}" if query else "")


@pytest_asyncio.fixture(loop_scope="session")
async def apart(pg_server_url: str, settings: Settings) -> AsyncIterator[Settings]:
    """Seven databases on the test's server: one per service in OWN, and the fallback."""
    run = uuid.uuid4().hex[:8]
    names = {service: f"tollgate_{service}_{run}" for service in (*OWN, "fallback")}
    admin = await connect(pg_server_url)
    try:
        for name in names.values():
            await admin.execute(f"CREATE DATABASE {name}")
        own = {f"database_url_{s}": _url(pg_server_url, names[s]) for s in OWN}
        yield msgspec.structs.replace(
            settings,
            database_url=_url(pg_server_url, names["fallback"]),
            stream=f"{settings.stream}_DB{run}",
            subject_root=f"{settings.subject_root}db{run}",
            **own,
        )
    finally:
        for name in names.values():
            await admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        await admin.close()


def per_service_env(settings: Settings) -> dict[str, str]:
    return {f"TOLLGATE_DATABASE_URL_{s.upper()}": settings.database_url_for(s) for s in OWN}


async def schemas_in(url: str) -> set[str]:
    conn = await connect(url)
    try:
        rows = await conn.fetch(
            "SELECT nspname FROM pg_namespace WHERE nspname NOT LIKE 'pg\\_%' "
            "AND nspname NOT IN ('public', 'information_schema')"
        )
    finally:
        await conn.close()
    return {r["nspname"] for r in rows}


async def test_an_initiative_reaches_launch_with_every_service_in_its_own_database(
    apart: Settings,
):
    assert len({apart.database_url_for(s) for s in (*OWN, "webhooks")}) == len(OWN)
    await migrate_each(apart.database_url_for)
    stack = Stack(apart, extra_env=per_service_env(apart))
    api = None
    try:
        await stack.start(*SERVICES)
        api = Api(stack, await make_users(apart))
        created = await step(api, "/initiatives", "contributor", IDEA)
        iid = created["id"]
        await ideation(api, iid)  # G1: the poc service opens the PoC from its own database
        await poc(api, iid)
        await pilot(api, iid)
        await mvp(api, iid)
        await launched(api, iid)
        timeline = (await api.get(f"/initiatives/{iid}/events")).json()
        stages = {event["source"] for event in timeline}
        assert stages >= {f"/tollgate/{s}" for s in ("ideation", "poc", "pilot", "mvp")}
    finally:
        if api is not None:
            await api.http.aclose()
        with contextlib.suppress(Exception):
            await stack.stop_all()
    for service in OWN:
        assert await schemas_in(apart.database_url_for(service)) == {service}, service
    assert await schemas_in(apart.database_url) == set()  # nothing fell back to DATABASE_URL
