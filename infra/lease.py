"""A lease: one active process among replicas, held as a PostgreSQL session advisory lock on
a dedicated connection (the outbox relay of each schema, the projection's writer).

PostgreSQL releases the lock when the holder's connection ends. A SIGKILLed holder's kernel
closes its socket, so its backend ends within milliseconds and a standby, trying every
`poll` seconds, takes over: the poll interval is the takeover time. A holder whose host
vanished is noticed through TCP keepalives set on the lease's connection (about
KEEPALIVE_SECONDS). The holder learns that it lost the lease (a terminated backend, a
database restart) from the connection's termination and a periodic probe, and stops.

A lease keeps the work efficient and in order; it is not what makes it correct. What it
guards is idempotent (Nats-Msg-Id deduplication, tracking rows), so a moment with two
holders (a partitioned holder that has not yet noticed) duplicates nothing.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
from collections.abc import Awaitable, Callable
from typing import Any

from infra.db import DATABASE_ERRORS, Connection, Pool, connect

log = logging.getLogger(__name__)
PREFIX = "tollgate lease "
KEEPALIVE = {
    "tcp_keepalives_idle": "5",
    "tcp_keepalives_interval": "2",
    "tcp_keepalives_count": "3",
}
KEEPALIVE_SECONDS = 11  # idle + interval * count: a vanished holder's host is noticed so late
Work = Callable[[asyncio.Event], Awaitable[None]]


class Lease:
    def __init__(self, dsn: str, key: str, *, poll: float = 0.5, probe: float = 2.0) -> None:
        self.dsn = dsn
        self.key = key
        self.poll = poll  # seconds between tries while another process holds it
        self.probe = probe  # seconds between checks that the holder's connection still lives
        self.conn: Any = None  # asyncpg.Connection while connected
        self.lost = asyncio.Event()

    @property
    def connection(self) -> Connection:
        """The lease's own connection (its holder may LISTEN on it)."""
        assert self.conn is not None, "not connected"
        conn: Connection = self.conn
        return conn

    async def run(self, stop: asyncio.Event, work: Work) -> None:
        """Whenever this process holds the lease, run `work(until)`: `until` is set when
        `stop` is or the lease is lost, and `work` must return then. Until `stop`."""
        try:
            while await self.acquire(stop):
                until = asyncio.Event()
                watcher = asyncio.create_task(self._watch(stop, until))
                try:
                    await work(until)
                finally:
                    until.set()
                    watcher.cancel()
                    await self.release()
                if not stop.is_set():
                    log.warning("lease %s lost; standing by to take it again", self.key)
        finally:
            await self.release()

    async def acquire(self, stop: asyncio.Event) -> bool:
        """Wait until this process holds the lease (True), or `stop` is set (False)."""
        while not stop.is_set():
            try:
                if await self._try():
                    log.info("lease %s taken (pid %d)", self.key, os.getpid())
                    return True
            except DATABASE_ERRORS as exc:
                log.warning("lease %s: %r; trying again", self.key, exc)
                await self.release()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), self.poll)
        return False

    async def _try(self) -> bool:
        if self.conn is None or self.conn.is_closed():
            name = f"{PREFIX}{self.key} pid {os.getpid()}"[:63]
            self.conn = await connect(self.dsn, {"application_name": name, **KEEPALIVE})
            self.lost = asyncio.Event()
            lost = self.lost
            self.conn.add_termination_listener(lambda *_: lost.set())
        return bool(await self.conn.fetchval("SELECT pg_try_advisory_lock(hashtext($1))", self.key))

    async def _watch(self, stop: asyncio.Event, until: asyncio.Event) -> None:
        """Set `until` on stop, on a lost connection, or when a probe gets no answer."""
        while not (stop.is_set() or self.lost.is_set()):
            waiters = [asyncio.ensure_future(e.wait()) for e in (stop, self.lost)]
            await asyncio.wait(waiters, timeout=self.probe, return_when=asyncio.FIRST_COMPLETED)
            for w in waiters:
                w.cancel()
            if stop.is_set() or self.lost.is_set():
                break
            try:
                await self.conn.fetchval("SELECT 1", timeout=self.probe)
            except Exception as exc:  # no answer in time, or none at all: the lease is gone
                log.warning("lease %s: the holder's connection failed a probe: %r", self.key, exc)
                self.lost.set()
        until.set()

    async def release(self) -> None:
        """Give the lease up (closing the connection releases the lock)."""
        conn, self.conn = self.conn, None
        if conn is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(conn.close(), 2)
            if not conn.is_closed():
                conn.terminate()


HOLDER = (
    "SELECT a.application_name FROM pg_stat_activity a JOIN pg_locks l ON l.pid = a.pid"
    " WHERE l.locktype = 'advisory' AND l.granted AND a.datname = current_database()"
    " AND a.application_name LIKE $1"
)


async def holder(conn: Connection | Pool, key: str) -> int | None:
    """The process id (on its own host) of the lease's holder, None while nobody holds it."""
    pattern = PREFIX + key.replace("\\", "\\\\").replace("_", "\\_").replace("%", "\\%")
    name = await conn.fetchval(HOLDER, f"{pattern} pid %")
    return int(str(name).rsplit(" ", 1)[1]) if name else None
