"""The lease against a real PostgreSQL: one of two contenders works at a time; when the
holder's connection is terminated, its work is told to stop and the lease is taken again
(by the other, or by the same one on a new connection); the holder is found by its key."""

from __future__ import annotations

import asyncio
import os
import time
import uuid
from collections.abc import Awaitable, Callable

import pytest

from infra.db import connect
from infra.lease import Lease, holder
from infra.settings import Settings
from tests.integration.bus import eventually

pytestmark = pytest.mark.asyncio(loop_scope="session")


class Floor:
    """Who is at work, and how often two were at once."""

    def __init__(self) -> None:
        self.active: set[str] = set()
        self.overlaps = 0
        self.runs = 0

    def work(self, name: str) -> Callable[[asyncio.Event], Awaitable[None]]:
        async def run(until: asyncio.Event) -> None:
            self.overlaps += bool(self.active)
            self.runs += 1
            self.active.add(name)
            try:
                await until.wait()
            finally:
                self.active.discard(name)

        return run


async def test_one_contender_works_and_the_other_takes_over_when_its_connection_ends(
    settings: Settings,
):
    key, floor, stop = f"test:{uuid.uuid4().hex[:8]}", Floor(), asyncio.Event()
    leases = {"a": Lease(settings.database_url, key), "b": Lease(settings.database_url, key)}
    tasks = [asyncio.create_task(lease.run(stop, floor.work(n))) for n, lease in leases.items()]
    active = floor.active
    admin = await connect(settings.database_url)
    try:
        await eventually(lambda: _one(active), what="one contender at work")
        first = next(iter(active))
        assert await holder(admin, key) == os.getpid()
        ended = time.monotonic()
        pid = leases[first].connection.get_server_pid()  # type: ignore[union-attr]
        await admin.execute("SELECT pg_terminate_backend($1)", pid)
        await eventually(lambda: _again(floor), what="work under the lease again")
        took = time.monotonic() - ended
    finally:
        stop.set()
        await asyncio.gather(*tasks)
        await admin.close()
    print(f"\nworking again {took:.2f}s after the holder's connection ended")
    assert floor.overlaps == 0, "both contenders worked at once"
    assert took < 5.0, "the issue's bound on a takeover"
    assert all(lease.conn is None for lease in leases.values()), "a connection left open"


async def _one(active: set[str]) -> bool:
    return len(active) == 1


async def _again(floor: Floor) -> bool:
    return len(floor.active) == 1 and floor.runs == 2
