"""`tollgate projection rebuild`: every read model again from the events, then switch.

The stream is replayed from sequence 1 into the schema projection_next (folded in memory
with the same views, each chunk written with COPY in a transaction that a checkpoint
commits; the rows of at most `rows_kept` initiatives in memory) while the live read models
keep serving. An interrupted rebuild resumes from its last checkpoint. At the end the live
writers are held off for a moment, the last events are caught up, and the schemas are
renamed in one transaction.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import sys
import time
from collections.abc import AsyncIterator
from typing import Any, TextIO

import msgspec

from infra.bus import connect as connect_bus
from infra.collector import fewer_young_collections
from infra.consumer import replay
from infra.db import Connection
from infra.db import connect as connect_db
from infra.replay_child import ReplayFailed, Request, replay_apart
from infra.settings import Settings
from services.projection import rebuild_store as tables
from services.projection.main import durable_name
from services.projection.seen import Seen
from services.projection.store import CLOUDEVENT
from services.projection.views.fold import Fold
from services.projection.watch import everything_changed

# Events between checkpoints, and the least time: a checkpoint needs both. Memory does not
# grow with either (chunks are written as they are folded, rows evicted); a row changed
# again before the next one is written once, not twice. A checkpoint writes every row
# changed since the one before: with 20,000 rows of long KPI series that is 2.4-3.4 s, so
# one a minute at most (an interrupted rebuild redoes a minute, or 200,000 events, at most),
# and none within the last 200,000 events: the end writes the same rows again moments later
# (a 1M rebuild of a little over a minute spent 8 % of its time on one).
CHECKPOINT = 200_000
CHECKPOINT_SECONDS = 60.0
# Events folded between turns of the task writing the chunk before (a turn sends its COPY
# on as far as the socket takes it).
WRITE_TURN = 50
# From this many events on, the stream is read by a child process (infra/replay_child.py):
# reading is about a quarter of a rebuild's CPU, and a rebuild has a core to spare.
APART = 20_000


class Result(msgspec.Struct, frozen=True, kw_only=True):
    events: int  # replayed in this run
    seconds: float
    initiatives: int
    position: int

    @property
    def rate(self) -> float:
        return self.events / self.seconds if self.seconds else 0.0


class Progress:
    """A progress bar with events/s, redrawn at most five times a second."""

    def __init__(self, out: TextIO | None, start: int, end: int) -> None:
        self.out, self.start, self.end = out, start, end
        self.began = self.drawn = time.monotonic()

    def show(self, position: int, final: bool = False) -> None:
        now = time.monotonic()
        if self.out is None or (now - self.drawn < 0.2 and not final):
            return
        self.drawn = now
        done, total = position - self.start, max(self.end - self.start, 1)
        rate = done / max(now - self.began, 1e-9)
        bar = "#" * (30 * done // total)
        self.out.write(f"\rrebuild [{bar:<30}] {100 * done // total:3d}% {position:,}/{self.end:,}"
                       f" events  {rate:,.0f} events/s")  # fmt: skip
        self.out.write("\n" if final else "")
        self.out.flush()


class Replayer:
    """Folds stretches of the stream into the next schema, with checkpoints."""

    def __init__(
        self,
        js: Any,
        conn: Connection,
        fold: Fold,
        settings: Settings,
        *,
        every: int = CHECKPOINT,
        seconds: float = CHECKPOINT_SECONDS,
        chunk: int = 2000,
        apart: int = APART,
        seen: Seen | None = None,
    ) -> None:
        self.js, self.conn, self.fold, self.settings = js, conn, fold, settings
        self.durable = durable_name(settings)
        self.every, self.seconds = every, seconds  # between checkpoints: events and time
        self.chunk = chunk  # events read at once
        self.apart = apart  # events from which a child process reads them
        self.seen = seen  # the ids applied, when the run started from an empty timeline
        self.writing: asyncio.Future[None] | None = None  # the chunk before, being written

    async def run(self, first: int, last: int, progress: Progress | None = None) -> int:
        """Fold sequences first..last; returns the last sequence folded (first - 1 if none).
        Each chunk is written as it is folded, in a transaction that a checkpoint commits."""
        # young collections every YOUNG allocations (infra/collector.py): at Python's default
        # the collector took a fifth of the fold (1M events: 23.9 -> 18.3 µs an event)
        with fewer_young_collections():
            try:
                return await self._run(first, last, progress)
            finally:
                gc.unfreeze()

    async def _run(self, first: int, last: int, progress: Progress | None) -> int:
        position, since, saved = first - 1, 0, time.monotonic()
        tx = self.conn.transaction()
        await tx.start()
        try:
            chunks = self._chunks(first, last)
            async for chunk in chunks:
                position = await self._fold(chunk) or position
                since += len(chunk)
                if (
                    since >= self.every and last - position >= self.every
                    and time.monotonic() - saved >= self.seconds
                ):  # fmt: skip
                    await self._store_all()
                    await tables.checkpoint(self.conn, self.fold, position)
                    await tx.commit()
                    tx, since, saved = self.conn.transaction(), 0, time.monotonic()
                    await tx.start()
                if progress:
                    progress.show(position)
            await self._store_all()
            await tables.checkpoint(self.conn, self.fold, position)
        except BaseException:
            if self.writing is not None:  # a chunk's writes end soon: then roll back
                await asyncio.wait([self.writing])
                if not self.writing.cancelled():
                    self.writing.exception()  # seen: the error raised is the first one
                self.writing = None
            await tx.rollback()
            raise
        await tx.commit()
        return position

    def _chunks(self, first: int, last: int) -> AsyncIterator[list[tuple[int, bytes]]]:
        """A long stretch is read by a child process, on the other core (its start-up is
        worth it from about APART events); a short one here."""
        s = self.settings
        if last - first < self.apart:
            return replay(self.js, s.stream, s.subjects.events, start=first, end=last,
                          batch=self.chunk)  # fmt: skip
        return replay_apart(Request(s.nats_url, s.stream, s.subjects.events, first, last,
                                    self.chunk))  # fmt: skip

    async def _fold(self, chunk: list[tuple[int, bytes]]) -> int | None:
        """Fold one chunk while the chunk before it is written; its last sequence.

        PostgreSQL stores a chunk (COPY, indexes, compression) on the other core while this
        one folds the next: the chunk's rows are read first (`load`, which counts the
        unwritten chunk's events as seen), then the chunk before it is handed to a writing
        task (its evicted rows never this chunk's), and the fold lets that task run every
        few events."""
        events = []
        for sequence, data in chunk:
            with contextlib.suppress(msgspec.DecodeError):  # not a CloudEvent: nothing to show
                events.append((sequence, CLOUDEVENT.decode(data)))
        await self._written()  # the connection is free
        await tables.load(self.conn, self.fold, events, self.seen)
        folded = self.fold.detach({ce.subject for _, ce in events})
        self.writing = asyncio.ensure_future(tables.flush(self.conn, folded, self.durable))
        for i, (sequence, ce) in enumerate(events, 1):
            self.fold.feed(ce, sequence)
            if i % WRITE_TURN == 0:
                await asyncio.sleep(0)
        # The rows hold no reference cycles, but the collector would scan every one of them
        # over and over as they are replaced (a third of the time): what survived a chunk
        # is set aside (gc.freeze; still freed when no longer referenced).
        gc.freeze()
        return chunk[-1][0] if chunk else None

    async def _written(self) -> None:
        """Wait for the chunk being written."""
        writing, self.writing = self.writing, None
        if writing is not None:
            await writing

    async def _store_all(self) -> None:
        """Everything folded written, before a checkpoint: the chunk being written and the
        last one folded."""
        await self._written()
        await tables.flush(self.conn, self.fold.detach(), self.durable)

    async def switch(self, position: int) -> int:
        """Catch up to the live position, then hold off live writers and swap the schemas."""
        await tables.build_indexes(self.conn)
        live = await tables.live_position(self.conn)  # most of the way without the lock
        if live > position:
            position = max(await self.run(position + 1, live), position)
        async with self.conn.transaction():
            live = await tables.lock_live(self.conn)
            if live > position:
                position = max(await self.run(position + 1, live), position)
            await tables.switch(self.conn)
        await everything_changed(self.conn, position)  # readers drop the rows they kept
        await tables.drop_old(self.conn)
        return position


async def rebuild(
    settings: Settings,
    out: TextIO | None = None,
    checkpoint_every: int = CHECKPOINT,
    rows_kept: int = tables.ROWS_KEPT,
) -> Result:
    """Rebuild into the next schema (resuming an interrupted rebuild there), then switch."""
    began = time.monotonic()
    conn = await connect_db(settings.database_url_for("projection"))
    nc = await connect_bus(settings.nats_url, "tollgate-projection-rebuild")
    js = nc.jetstream()
    try:
        fold, start = await tables.prepare(conn, rows_kept)
        end = int((await js.stream_info(settings.stream)).state.last_seq)
        progress = Progress(out, start, end)
        seen = Seen(end - start) if await tables.fresh(conn) else None
        replayer = Replayer(js, conn, fold, settings, every=checkpoint_every, seen=seen)
        position = max(await replayer.run(start + 1, end, progress), start)
        progress.show(end, final=True)
        position = await replayer.switch(position)
        return Result(events=position - start, seconds=time.monotonic() - began,
                      initiatives=await tables.initiatives(conn), position=position)  # fmt: skip
    finally:
        await nc.close()
        await conn.close()


async def rebuild_cli(settings: Settings, rows_kept: int = tables.ROWS_KEPT) -> int:
    try:
        result = await rebuild(settings, out=sys.stderr, rows_kept=rows_kept)
    except ReplayFailed as exc:
        print(f"tollgate projection rebuild: {exc}; the read models were not switched, and"
              " running it again resumes from its last checkpoint", file=sys.stderr)  # fmt: skip
        return 3

    print(
        f"rebuilt {result.initiatives} initiatives from {result.events:,} events in "
        f"{result.seconds:.1f}s ({result.rate:,.0f} events/s); position {result.position}"
    )
    return 0
