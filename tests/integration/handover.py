"""Measuring a takeover: who holds a lease, and how long after a kill something holds."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable

from infra.db import Pool
from infra.lease import holder
from tests.stack import Stack


def holder_name(stack: Stack, pid: int | None) -> str | None:
    """The stack's name of the process with this pid."""
    return next((n for n, p in stack.procs.items() if p.pid == pid), None)


async def waited(check: Callable[[], Awaitable[bool]], since: float, limit: float = 30.0) -> float:
    """Seconds from `since` until `check` holds (at most `limit`, then what it took)."""
    while not await check() and time.monotonic() - since < limit:
        await asyncio.sleep(0.02)
    return time.monotonic() - since


async def kill_process(stack: Stack, name: str) -> float:
    """SIGKILL a service; when it happened."""
    killed = time.monotonic()
    await stack.kill(name)
    return killed


async def holds(pool: Pool, key: str, pid: int) -> bool:
    return await holder(pool, key) == pid


async def above(read: Callable[[Pool], Awaitable[int]], pool: Pool, value: int) -> bool:
    return await read(pool) > value
