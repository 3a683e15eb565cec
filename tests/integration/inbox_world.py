"""An isolated Tollgate for the inbox tests: every service as a real process (the notifier
too) on a database, stream and subject root of its own, a real SMTP server the notifier
mails to, and users with addresses. Its own database, because the tests move a scheduler's
clock weeks ahead, which would flag every other test's reviews overdue.

The scheduler is not ticking in the notifier process (TOLLGATE_SCHEDULER_SECONDS=0): the
tests run it in-process with a clock of their own, against the real services.
"""

from __future__ import annotations

import functools
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import msgspec
import nats
import pytest_asyncio

from api.notifications import set_preferences
from api.notifier.scheduler import Scheduler, Tick
from events.people import Person
from infra import commands
from infra.db import Pool, connect, create_pool
from infra.driver import Driver
from infra.settings import Settings
from services.journeys import Clock, Outcome, Profile, journey
from services.projection import queries
from services.projection.views.inbox import InboxItem
from tests.accounts import ensure_user
from tests.integration.bus import drop_stream
from tests.integration.mailbox import Mailbox, smtp_server
from tests.stack import Stack, start_stack

PUBLIC = "https://tollgate.example.test"
PASSWORD = "correct horse battery"
CHAIR = "ina-chair"
# name -> (role, notify); each has the address name@example.test
USERS = {
    "ina-owner": ("owner", "immediate"),
    "ina-team": ("owner", "digest"),
    "ina-chair": ("committee", "immediate"),
    "ina-member": ("committee", "immediate"),
    "ina-acc": ("contributor", "immediate"),
    "ina-viewer": ("viewer", "immediate"),
    "ina-admin": ("admin", "off"),
}
INBOX = msgspec.json.Decoder(list[InboxItem])


def address(name: str) -> str:
    return f"{name}@example.test"


@dataclass
class World:
    stack: Stack
    settings: Settings  # as the notifier runs: chair, public URL, SMTP
    mailbox: Mailbox
    tokens: dict[str, str]
    http: httpx.AsyncClient
    pool: Pool
    driver: Driver

    async def post(self, path: str, who: str, body: Any = None) -> dict[str, Any]:
        response = await self.http.post(path, headers=self.bearer(who), json=body or {})
        assert response.status_code in (200, 201), f"{path}: {response.status_code} {response.text}"
        reply: dict[str, Any] = response.json()
        return reply

    def bearer(self, who: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[who]}"}

    async def inbox(self, who: str, position: int | None = None) -> list[InboxItem]:
        params = {"min_position": position} if position else {}
        response = await self.http.get("/inbox", headers=self.bearer(who), params=params)
        assert response.status_code == 200, response.text
        return INBOX.decode(msgspec.json.encode(response.json()["items"]))

    async def kinds(self, who: str, iid: str, position: int | None = None) -> list[str]:
        """The kinds of what waits on `who` for one initiative, oldest first."""
        return [i.kind for i in await self.inbox(who, position) if i.initiative_id == iid]

    async def tick(self, now: datetime) -> Tick:
        """The scheduler at `now` (the test's clock), against the real services."""
        send = functools.partial(commands.send, self.driver.nc, self.settings.subjects)
        return await Scheduler(self.pool, self.pool, send, self.settings, lambda: now).tick()

    async def caught_up(self) -> None:
        """The read models have applied everything on the stream."""
        js = self.driver.nc.jetstream()
        last = (await js.stream_info(self.settings.stream)).state.last_seq
        assert await queries.wait_for_position(self.pool, last, 20)

    async def in_pilot(self, outcome: Outcome = "pilot") -> str:
        """A new initiative of ina-owner (ina-team on its team), taken through the real
        commands to a running pilot whose KPI is on target."""
        iid = f"ina-{uuid.uuid4().hex[:8]}"
        profile = Profile(
            initiative_id=iid,
            title=f"Claims triage {iid[-4:]}",
            problem="Slow claims",
            goal="Faster claims",
            owner="ina-owner",
            owner_account="ina-owner",
            team=(Person(name="ina-team", account="ina-team"),),
            outcome=outcome,
        )
        start = datetime.now(UTC) - timedelta(days=60)
        await self.driver.run(journey(profile, Clock(start, timedelta(hours=2))))
        return iid


def _url(server_url: str, name: str) -> str:
    base, _, query = server_url.partition("?")
    return base.rsplit("/", 1)[0] + f"/{name}" + (f"?{query}" if query else "")


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def world(pg_server_url: str, settings: Settings) -> AsyncIterator[World]:
    tag = uuid.uuid4().hex[:8]
    database = f"tollgate_inbox_{tag}"
    admin = await connect(pg_server_url)
    await admin.execute(f"CREATE DATABASE {database}")
    own = msgspec.structs.replace(
        settings,
        database_url=_url(pg_server_url, database),
        stream=f"{settings.stream}_IN{tag}",
        subject_root=f"{settings.subject_root}in{tag}",
    )
    try:
        with smtp_server() as (smtp_url, mailbox):
            env = {
                "TOLLGATE_SMTP_URL": smtp_url,
                "TOLLGATE_COMMITTEE_CHAIR": CHAIR,
                "TOLLGATE_SCHEDULER_SECONDS": "0",
                "TOLLGATE_PUBLIC_URL": PUBLIC,
            }
            stack = await start_stack(own, extra_env=env)
            notifier = msgspec.structs.replace(
                own, smtp_url=smtp_url, committee_chair=CHAIR, public_url=PUBLIC
            )
            pool = await create_pool(own.database_url, max_size=4)
            nc = await nats.connect(own.nats_url)
            http = httpx.AsyncClient(base_url=f"{stack.url}/api/v1", timeout=30)
            try:
                tokens = await _users(pool)
                driver = Driver(nc, own.subjects, open_timeout=30)
                yield World(stack, notifier, mailbox, tokens, http, pool, driver)
            finally:
                await http.aclose()
                await nc.close()
                await pool.close()
                await stack.stop_all()
    finally:
        await admin.execute(f"DROP DATABASE IF EXISTS {database} WITH (FORCE)")
        await admin.close()
        await drop_stream(own.nats_url, own.stream)


async def _users(pool: Pool) -> dict[str, str]:
    tokens = {}
    for name, (role, notify) in USERS.items():
        tokens[name] = (await ensure_user(pool, name, role, "person", PASSWORD))[1]
        await set_preferences(pool, name, email=address(name), notify=notify)
    return tokens
