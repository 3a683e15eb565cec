"""PostgreSQL event store: one schema per service, optimistic concurrency, gap-free order.

The global order is (tx_id, position). A reader only sees rows below the *horizon*: the
oldest transaction of this database that could still add a row (see `horizon`), so a row
whose transaction commits late is read after, never skipped.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from itertools import starmap
from uuid import UUID

import asyncpg
import msgspec

from infra.collector import fewer_young_collections
from infra.db import Connection, Pool
from infra.wakeup import Wakeup


class ConcurrencyError(Exception):
    """The stream moved on: `current_version` is where it is now."""

    def __init__(self, stream_id: str, expected: int, current: int) -> None:
        super().__init__(f"stream {stream_id} is at version {current}, not the expected {expected}")
        self.stream_id = stream_id
        self.expected = expected
        self.current_version = current


class DuplicateKey(Exception):
    """Another command recorded the same idempotency key first."""


class NewEvent(msgspec.Struct, frozen=True, kw_only=True):
    event_id: UUID
    type: str
    occurred_at: datetime
    data: bytes
    metadata: bytes


# gc=False: its fields are atoms (ints, str, bytes, UUID, datetimes), so it can never be part
# of a reference cycle; untracked, the thousands a read_all batch makes do not set off the
# cyclic collector (which took about a fifth of a read_all's client time).
class RecordedEvent(msgspec.Struct, frozen=True, gc=False):
    position: int
    tx_id: int
    stream_id: str
    version: int
    event_id: UUID
    type: str
    occurred_at: datetime
    # When it was stored, in seconds since the Unix epoch: the store's own bookkeeping, read
    # only for the relay's lag metrics, which need an age, not a date. A float costs the
    # read a third of what a datetime did (asyncpg makes a timedelta, a sum and a copy
    # with the zone); `recorded_at` gives the datetime, to the microsecond.
    recorded_epoch: float
    data: bytes
    metadata: bytes

    @property
    def recorded_at(self) -> datetime:
        return datetime.fromtimestamp(self.recorded_epoch, UTC)


class Checkpoint(msgspec.Struct, frozen=True, order=True):
    """A point in the global order; `stream_seq` is the JetStream sequence it reached, and
    `scan_from` one at or before every message published after it (infra/outbox.py)."""

    tx_id: int = 0
    position: int = 0
    stream_seq: int = 0
    scan_from: int = 0

    def covers(self, tx_id: int, position: int) -> bool:
        return (self.tx_id, self.position) >= (tx_id, position)


class Idempotent(msgspec.Struct, frozen=True):
    """An idempotency key, the digest of the request it came with, and the reply to keep."""

    key: str
    digest: str
    reply: bytes


class StoredReply(msgspec.Struct, frozen=True):
    digest: str
    reply: bytes
    tx_id: int
    position: int


class Appended(msgspec.Struct, frozen=True):
    positions: list[int]
    tx_id: int


class Snapshot(msgspec.Struct, frozen=True):
    version: int
    tx_id: int
    position: int
    state: bytes


# A RecordedEvent's columns as plain values that asyncpg decodes in C, so no Python function
# runs per value: xid8 arrives as an int, and data and metadata as the bytes of their JSON
# text (the pool's jsonb codec is a Python call per value). Every read of events selects these.
_EVENT_COLUMNS = (
    "position, tx_id, stream_id, version, event_id, type, occurred_at, "
    "date_part('epoch', recorded_at), convert_to(data::text, 'UTF8'), "
    "convert_to(metadata::text, 'UTF8')"
)
# Payloads arrive as the bytes of their JSON text (bytea: encoded in C, no Python call per
# value) and are stored as json, which checks them (sql/eventstore/003_json_payloads.sql).
_PAYLOADS = "convert_from(u.d, 'UTF8')::json, convert_from(u.m, 'UTF8')::json"
_WRAP = 1 << 32

# The horizon: the oldest 64-bit transaction id of THIS database that may still write a row,
# taken from the reading statement's own snapshot, so the read and the horizon agree. Why it is
# safe: in that snapshot every transaction below its xmax and not in its xip list has ended,
# so the read sees all of its rows. A transaction in xip is still running as far as the read
# is concerned and holds the horizon back, unless pg_stat_activity or pg_prepared_xacts
# (scanned after the snapshot was taken) show it as another database's: a transaction
# writes only in its own database, and an xid names one transaction. Read-only transactions
# (no xid) never hold it back; the reader's own transaction, if it wrote, does. backend_xid
# is 32 bits: compared with xip's low 32 bits (one snapshot's xids lie within 2^31).
_HORIZON_CTE = f"""
snap AS (SELECT pg_current_snapshot() AS s),
elsewhere AS (
    SELECT backend_xid::text::bigint AS x FROM pg_stat_activity
    WHERE backend_xid IS NOT NULL
      AND datid <> (SELECT oid FROM pg_database WHERE datname = current_database())
    UNION ALL
    SELECT transaction::text::bigint FROM pg_prepared_xacts
    WHERE database <> current_database()
),
horizon AS (
    SELECT least(pg_snapshot_xmax(s)::text::bigint, (
        SELECT min(x::text::bigint) FROM pg_snapshot_xip(s) AS x
        WHERE x::text::bigint % {_WRAP} NOT IN (SELECT x FROM elsewhere)
    ), pg_current_xact_id_if_assigned()::text::bigint)::text::xid8 AS h FROM snap
)"""
_OLDEST_WRITER_SQL = """
SELECT extract(epoch FROM now() - xact_start)::float8 AS age, pid FROM pg_stat_activity
WHERE backend_xid IS NOT NULL AND pid <> pg_backend_pid()
  AND datid = (SELECT oid FROM pg_database WHERE datname = current_database())
ORDER BY xact_start LIMIT 1
"""


class Writer(msgspec.Struct, frozen=True):
    age: float  # seconds its transaction has been open
    pid: int


async def oldest_writer(pool: Pool) -> Writer | None:
    """The longest-open transaction of this database that holds an xid: every event committed
    after it waits for it before the relays may publish it (see the horizon above)."""
    row = await pool.fetchrow(_OLDEST_WRITER_SQL)
    return Writer(float(row["age"]), int(row["pid"])) if row else None


GROUPS_IN_FLIGHT = 2  # groups of appends written at once (each a statement and a commit)


class _Waiting:
    """An append waiting for its group to be written."""

    __slots__ = ("done", "events", "expected_version", "stream_id")

    def __init__(self, stream_id: str, events: Sequence[NewEvent], expected_version: int) -> None:
        self.stream_id = stream_id
        self.events = events
        self.expected_version = expected_version
        self.done: asyncio.Future[Appended] = asyncio.get_running_loop().create_future()


def _settle(waiting: _Waiting, outcome: Appended | BaseException) -> None:
    if waiting.done.done():  # its caller was cancelled
        return
    if isinstance(outcome, BaseException):
        waiting.done.set_exception(outcome)
    else:
        waiting.done.set_result(outcome)


def _group_args(group: list[_Waiting]) -> tuple[list[object], ...]:
    """The unnest arrays of a group: every event of every append, versions numbered on."""
    columns: tuple[list[object], ...] = ([], [], [], [], [], [], [])
    for w in group:
        for n, e in enumerate(w.events, 1):
            row = (w.stream_id, w.expected_version + n, e.event_id, e.type, e.occurred_at,
                   e.data, e.metadata)  # fmt: skip
            for column, value in zip(columns, row, strict=True):
                column.append(value)
    return columns


def _events(rows: Sequence[asyncpg.Record]) -> list[RecordedEvent]:
    return list(starmap(RecordedEvent, rows))


# One statement: the horizon comes from the read's own snapshot (_HORIZON_CTE says why). The
# ORDER BY names the table's columns, so that it follows the (tx_id, position) index.
_READ_ALL_SQL = (
    f"WITH {_HORIZON_CTE.replace('{', '{{').replace('}', '}}')} "
    f"SELECT {_EVENT_COLUMNS} FROM {{schema}}.events "
    "WHERE (tx_id, position) > ($1::text::xid8, $2) AND tx_id < (SELECT h FROM horizon) "
    "ORDER BY events.tx_id, events.position LIMIT $3"
)


# A stream's snapshot (one row without an event id, first) and its events after it.
_LOAD_STREAM_SQL = (
    "WITH snap AS (SELECT version, tx_id, position, state FROM {schema}.snapshots "
    "WHERE stream_id = $1 AND state_key = $2) "
    "SELECT position, tx_id, NULL::text, version, NULL::uuid, NULL::text, "
    "NULL::timestamptz, NULL::float8, state, NULL::bytea FROM snap UNION ALL "
    f"SELECT {_EVENT_COLUMNS} FROM {{schema}}.events WHERE stream_id = $1 "
    "AND version > coalesce((SELECT version FROM snap), 0) ORDER BY 4"
)


def _after_sql(schema: str, tx_id: str, position: str) -> str:
    """Whether any event is stored after a point. Not an EXISTS: asyncpg prepares statements,
    PostgreSQL may give a prepared one a generic plan, and for EXISTS that plan scans the
    whole table (its estimate expects a match among the first rows). The first row after the
    point, in index order, is one index probe whatever the plan."""
    return (
        f"(SELECT true FROM {schema}.events WHERE (tx_id, position) > ({tx_id}::text::xid8, "
        f"{position}) ORDER BY events.tx_id, events.position LIMIT 1) IS NOT NULL"
    )


class EventStore:
    def __init__(self, pool: Pool, schema: str) -> None:
        self.pool = pool
        self.schema = schema
        self.channel = f"{schema}_events"
        self.published_channel = f"{schema}_published"
        self._read_all_sql = _READ_ALL_SQL.format(schema=schema)
        self._after_sql = f"SELECT {_after_sql(schema, '$1', '$2')}"
        self._load_stream_sql = _LOAD_STREAM_SQL.format(schema=schema)
        self._append_sql = (
            f"WITH ins AS (INSERT INTO {schema}.events "
            "(stream_id, version, event_id, type, occurred_at, data, metadata) "
            f"SELECT $1, $2 + u.n, u.id, u.t, u.o, {_PAYLOADS} FROM unnest("
            "$3::uuid[], $4::text[], $5::timestamptz[], $6::bytea[], $7::bytea[]) "
            "WITH ORDINALITY AS u(id, t, o, d, m, n) RETURNING position, tx_id), "
            f"idem AS (INSERT INTO {schema}.idempotency (key, digest, reply, tx_id, position) "
            "SELECT $8, $9, $10, (SELECT max(tx_id) FROM ins), (SELECT max(position) FROM ins) "
            "WHERE $8::text IS NOT NULL) "
            "SELECT array_agg(position ORDER BY position), max(tx_id)::text::bigint, "
            f"(SELECT pg_notify('{self.channel}', '')) FROM ins"
        )
        # committing on its own, an append NOTIFYs after its commit (infra/wakeup.py says why)
        self._append_alone_sql = self._append_sql.replace(
            f", (SELECT pg_notify('{self.channel}', '')) FROM ins", " FROM ins"
        )
        self._group_sql = (
            f"WITH ins AS (INSERT INTO {schema}.events "
            "(stream_id, version, event_id, type, occurred_at, data, metadata) "
            f"SELECT u.s, u.v, u.id, u.t, u.o, {_PAYLOADS} "
            "FROM unnest($1::text[], $2::bigint[], "
            "$3::uuid[], $4::text[], $5::timestamptz[], $6::bytea[], $7::bytea[]) "
            "WITH ORDINALITY AS u(s, v, id, t, o, d, m, n) ORDER BY u.n "
            "RETURNING event_id, position, tx_id) "
            "SELECT event_id, position, tx_id::text::bigint FROM ins"
        )
        self._wakeup = Wakeup(pool, self.channel)
        self._waiting: list[_Waiting] = []  # appends waiting for the next group
        self._writing = 0  # groups being written now
        self._writers: set[asyncio.Task[None]] = set()

    def relaying_here(self, wake: Callable[[], None] | None) -> None:
        """While this process's relay holds the lease, an append wakes it by calling `wake`,
        not by a NOTIFY through the database (infra/wakeup.py); None when it stops."""
        self._wakeup.local = wake

    async def append(
        self,
        stream_id: str,
        events: Sequence[NewEvent],
        expected_version: int,
        conn: Connection | None = None,
        idempotent: Idempotent | None = None,
    ) -> Appended:
        """Append after `expected_version` in one statement, with the idempotency key if any.
        Appends committing on their own are grouped (`_grouped`)."""
        if conn is None and idempotent is None:
            return await self._grouped(stream_id, events, expected_version)
        return await self._append_one(stream_id, events, expected_version, conn, idempotent)

    async def _append_one(
        self,
        stream_id: str,
        events: Sequence[NewEvent],
        expected_version: int,
        conn: Connection | None = None,
        idempotent: Idempotent | None = None,
    ) -> Appended:
        args = (
            stream_id,
            expected_version,
            [e.event_id for e in events],
            [e.type for e in events],
            [e.occurred_at for e in events],
            [e.data for e in events],
            [e.metadata for e in events],
            idempotent.key if idempotent else None,
            idempotent.digest if idempotent else None,
            idempotent.reply if idempotent else None,
        )
        try:
            if conn is not None:
                async with conn.transaction():  # a savepoint: a conflict must not abort conn
                    row = await conn.fetchrow(self._append_sql, *args)
            else:
                row = await self.pool.fetchrow(self._append_alone_sql, *args)
                self._wakeup.poke()
        except asyncpg.UniqueViolationError as exc:
            if exc.constraint_name == "idempotency_pkey":
                raise DuplicateKey(str(idempotent and idempotent.key)) from None
            if exc.constraint_name != "events_stream_version":
                raise
            current = await self.stream_version(stream_id)
            raise ConcurrencyError(stream_id, expected_version, current) from None
        assert row is not None
        return Appended(list(row[0]), int(row[1]))

    async def _grouped(
        self, stream_id: str, events: Sequence[NewEvent], expected_version: int
    ) -> Appended:
        """Group commit. Appends arriving while GROUPS_IN_FLIGHT groups are being written wait
        and go together in the next group: one statement and one commit (one WAL flush)
        for all of them instead of one each. A group that fails on a unique key (a version
        another writer took, or a repeated event id) is written again one append at a time,
        so each append fails or succeeds exactly as it would alone."""
        waiting = _Waiting(stream_id, events, expected_version)
        self._waiting.append(waiting)
        if self._writing < GROUPS_IN_FLIGHT:
            self._writing += 1
            writing = asyncio.get_running_loop().create_task(self._write_groups())
            self._writers.add(writing)  # kept until done (the loop holds tasks weakly)
            writing.add_done_callback(self._writers.discard)
        return await waiting.done

    async def _write_groups(self) -> None:
        try:
            while self._waiting:
                group, self._waiting = self._waiting, []
                try:
                    await self._write_group(group)
                finally:  # interrupted (the loop is closing): its appends are told
                    for w in group:
                        _settle(w, ConnectionError("interrupted: the append may have been written"))
        finally:
            self._writing -= 1

    async def _write_group(self, group: list[_Waiting]) -> None:
        if len(group) > 1:
            try:
                rows = await self.pool.fetch(self._group_sql, *_group_args(group))
            except asyncpg.UniqueViolationError:
                pass  # one at a time below: each gets its own answer
            except Exception as exc:  # the database is unreachable, ...: each append fails
                for w in group:
                    _settle(w, exc)
                return
            else:
                self._wakeup.poke()
                positions = {r[0]: r[1] for r in rows}
                tx_id = int(rows[0][2])
                for w in group:
                    _settle(w, Appended([positions[e.event_id] for e in w.events], tx_id))
                return
        outcomes = await asyncio.gather(
            *(self._append_one(w.stream_id, w.events, w.expected_version) for w in group),
            return_exceptions=True,
        )
        for w, outcome in zip(group, outcomes, strict=True):
            _settle(w, outcome)

    async def stream_version(self, stream_id: str) -> int:
        sql = f"SELECT coalesce(max(version), 0) FROM {self.schema}.events WHERE stream_id = $1"
        return int(await self.pool.fetchval(sql, stream_id))

    async def read_stream(self, stream_id: str, after_version: int = 0) -> list[RecordedEvent]:
        sql = (
            f"SELECT {_EVENT_COLUMNS} FROM {self.schema}.events "
            "WHERE stream_id = $1 AND version > $2 ORDER BY version"
        )
        return _events(await self.pool.fetch(sql, stream_id, after_version))

    async def read_all(self, after: Checkpoint, limit: int = 500) -> list[RecordedEvent]:
        """Events committed after `after`, in global order, skipping none: one statement,
        below the horizon of its own snapshot."""
        with fewer_young_collections():  # the batch's rows all live on (infra/collector.py)
            sql, tx_id = self._read_all_sql, str(after.tx_id)
            return _events(await self.pool.fetch(sql, tx_id, after.position, limit))

    async def has_after(self, after: Checkpoint) -> bool:
        """Whether any event is stored after `after`, committed or not yet below the horizon."""
        return bool(await self.pool.fetchval(self._after_sql, str(after.tx_id), after.position))

    async def position_of(self, event_ids: Sequence[UUID]) -> Checkpoint | None:
        """The latest global-order point among these events (None if none is stored)."""
        sql = (
            f"SELECT tx_id::text::bigint, position FROM {self.schema}.events "
            "WHERE event_id = ANY($1::uuid[]) ORDER BY tx_id DESC, position DESC LIMIT 1"
        )
        row = await self.pool.fetchrow(sql, list(event_ids))
        return Checkpoint(int(row[0]), int(row[1])) if row else None

    async def load_checkpoint(self, name: str, conn: Connection | None = None) -> Checkpoint:
        sql = (
            f"SELECT tx_id::text::bigint AS tx_id, position, stream_seq, scan_from "
            f"FROM {self.schema}.checkpoints WHERE name = $1"
        )
        row = await (conn or self.pool).fetchrow(sql, name)
        return Checkpoint(*row.values()) if row else Checkpoint()

    async def save_checkpoint(
        self, name: str, checkpoint: Checkpoint, conn: Connection | None = None
    ) -> bool:
        """Save, and tell the command path (NOTIFY) how far publishing got; True when an
        event is stored after it (the same answer as `has_after`, in the same round trip)."""
        sql = (
            f"WITH up AS (INSERT INTO {self.schema}.checkpoints (name, tx_id, position, "
            "stream_seq, scan_from) VALUES ($1, $2::text::xid8, $3, $4, $6) ON CONFLICT (name) "
            "DO UPDATE SET tx_id = excluded.tx_id, position = excluded.position, "
            "stream_seq = excluded.stream_seq, scan_from = excluded.scan_from RETURNING 1) "
            f"SELECT pg_notify('{self.published_channel}', $5), "
            f"{_after_sql(self.schema, '$2', '$3')} FROM up"
        )
        c = checkpoint
        payload = f"{c.tx_id} {c.position} {c.stream_seq}"
        row = await (conn or self.pool).fetchrow(
            sql, name, str(c.tx_id), c.position, c.stream_seq, payload, c.scan_from
        )
        assert row is not None  # the upsert returns its row
        return bool(row[1])

    async def find_reply(self, key: str) -> StoredReply | None:
        sql = (
            f"SELECT digest, reply, tx_id::text::bigint, position FROM {self.schema}.idempotency "
            "WHERE key = $1"
        )
        row = await self.pool.fetchrow(sql, key)
        return StoredReply(*row.values()) if row else None

    async def forget_replies(self, days: int) -> None:
        """Idempotency keys are kept `days` days: a retry comes within minutes, not weeks."""
        sql = f"DELETE FROM {self.schema}.idempotency WHERE recorded_at < now() - $1::interval"
        await self.pool.execute(sql, timedelta(days=days))

    async def load_stream(
        self, stream_id: str, state_key: str
    ) -> tuple[Snapshot | None, list[RecordedEvent]]:
        """The stream's snapshot of that state (if any) and its events after it: one round
        trip for a command whose stream is not in its runner's cache."""
        rows = await self.pool.fetch(self._load_stream_sql, stream_id, state_key)
        if rows and rows[0][4] is None:  # the snapshot's row: no event id
            first = rows[0]
            return Snapshot(first[3], first[1], first[0], first[8]), _events(rows[1:])
        return None, _events(rows)

    async def save_snapshot(self, stream_id: str, state_key: str, snapshot: Snapshot) -> None:
        sql = (
            f"INSERT INTO {self.schema}.snapshots (stream_id, state_key, version, tx_id, "
            "position, state) VALUES ($1, $2, $3, $4::text::xid8, $5, $6) "
            "ON CONFLICT (stream_id) DO UPDATE SET state_key = excluded.state_key, "
            "version = excluded.version, tx_id = excluded.tx_id, position = excluded.position, "
            "state = excluded.state, taken_at = now() "
            f"WHERE {self.schema}.snapshots.version < excluded.version "
            f"OR {self.schema}.snapshots.state_key <> excluded.state_key"
        )
        s = snapshot
        await self.pool.execute(
            sql, stream_id, state_key, s.version, str(s.tx_id), s.position, s.state
        )
