"""What the read models applied, heard by NOTIFY, so that reads need not ask PostgreSQL.

Each transaction of the projection that applies an event NOTIFYs `projection_applied` with
the stream sequence and the stream (initiative) it changed, from inside (store._start_sql):
readers hear it at the commit. A NOTIFY takes a server-wide lock through its commit's WAL
flush (infra/wakeup.py), which serialises only writers that NOTIFY; the projection has one
writer, and a NOTIFY of its own after the commit would cost a transaction and a flush more.
`tollgate projection rebuild` NOTIFYs `*` after its switch: everything changed.

A reading process (the API) runs a `Watch` per read-model database. While it listens it
knows the read models' position without a query (`applied_position`, `wait_for_position`)
and tells its listeners which rows changed, before the position moves on: a read that
waited for a position never gets a row kept from before it. A lost connection forgets
everything, and until the LISTEN is back reads ask the database. A notification arrives a
moment after its commit, so a read without `min_position` may lag the commit by that.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable

from infra.db import Connection, Pool
from infra.listening import listen
from services.projection.store import CHANNEL, EVERYTHING, SCHEMA, payload

Changed = Callable[[int, frozenset[str] | None], None]  # (pool id, ids or None: all)


def parse(text: str) -> tuple[int, frozenset[str] | None]:
    head, _, rest = text.partition(" ")
    names = rest.split()
    return int(head), None if EVERYTHING in names else frozenset(names)


async def tell(conn: Connection | Pool, position: int, streams: set[str] | None) -> None:
    """NOTIFY readers what was applied; inside a transaction they hear it at its commit."""
    await conn.execute("SELECT pg_notify($1, $2)", CHANNEL, payload(position, streams))


async def everything_changed(conn: Connection, position: int) -> None:
    """After a rebuild's switch: every reader drops what it kept."""
    await tell(conn, position, None)


class Watch:
    """The reading side, for one read-model database (`pool`)."""

    def __init__(self, pool: Pool, dsn: str) -> None:
        self.pool = pool
        self.dsn = dsn
        self.listening = False
        self.position = 0
        self.changes = 0  # notifications heard: a read that raced one is not trusted
        self._moved = asyncio.Event()  # set (and replaced) whenever the position moves

    def heard(self, text: str) -> None:
        try:
            position, streams = parse(text)
        except ValueError:
            position, streams = self.position, None
        self._changed(streams)
        self._advance(position)

    def _changed(self, streams: frozenset[str] | None) -> None:
        self.changes += 1
        for listener in LISTENERS:
            listener(id(self.pool), streams)

    def _advance(self, position: int) -> None:
        if position > self.position:
            self.position = position
            self._wake()

    def _wake(self) -> None:
        self._moved.set()
        self._moved = asyncio.Event()

    async def _up(self, conn: Connection) -> None:
        self._advance(int(await conn.fetchval(f"SELECT sequence FROM {SCHEMA}.position") or 0))
        self.listening = True
        WATCHES[id(self.pool)] = self

    def _down(self) -> None:
        self.listening = False
        WATCHES.pop(id(self.pool), None)
        self._changed(None)
        self._wake()  # waiters ask the database from now on

    async def run(self, stop: asyncio.Event) -> None:
        await listen(self.dsn, CHANNEL, self.heard, stop, up=self._up, down=self._down)

    async def reached(self, position: int, timeout: float) -> bool:
        """Wait until the position heard includes `position`; False on timeout or when
        the LISTEN went down meanwhile (then ask the database)."""
        deadline = time.monotonic() + timeout
        while self.position < position and self.listening:
            left = deadline - time.monotonic()
            if left <= 0:
                return False
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._moved.wait(), left)
        return self.position >= position


WATCHES: dict[int, Watch] = {}  # pool id -> its watch, while listening
LISTENERS: list[Changed] = []  # told which rows changed (kept_rows.KEPT.drop)


def watching(pool: Pool) -> Watch | None:
    """The pool's watch if it is listening now."""
    found = WATCHES.get(id(pool))
    return found if found is not None and found.listening else None
