"""PostgreSQL event store: one schema per service, optimistic concurrency, gap-free order.

The global order is (tx_id, position). A reader only sees rows whose transaction
id is below the oldest transaction still running (pg_snapshot_xmin), so a row
whose transaction commits late is read after, never skipped.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from uuid import UUID

import asyncpg
import msgspec

from infra.db import Connection, Pool


class ConcurrencyError(Exception):
    """The stream moved on: `current_version` is where it is now."""

    def __init__(self, stream_id: str, expected: int, current: int) -> None:
        super().__init__(f"stream {stream_id} is at version {current}, not the expected {expected}")
        self.stream_id = stream_id
        self.expected = expected
        self.current_version = current


class NewEvent(msgspec.Struct, frozen=True, kw_only=True):
    event_id: UUID
    type: str
    occurred_at: datetime
    data: bytes
    metadata: bytes


class RecordedEvent(msgspec.Struct, frozen=True, kw_only=True):
    position: int
    tx_id: int
    stream_id: str
    version: int
    event_id: UUID
    type: str
    occurred_at: datetime
    recorded_at: datetime
    data: bytes
    metadata: bytes


class Checkpoint(msgspec.Struct, frozen=True):
    tx_id: int = 0
    position: int = 0


_COLUMNS = (
    "position, tx_id::text::bigint AS tx_id, stream_id, version, event_id, type, "
    "occurred_at, recorded_at, data, metadata"
)


def _recorded(row: asyncpg.Record) -> RecordedEvent:
    return RecordedEvent(**dict(row.items()))


class EventStore:
    def __init__(self, pool: Pool, schema: str) -> None:
        self.pool = pool
        self.schema = schema
        self.channel = f"{schema}_events"
        self._append_sql = (
            f"WITH ins AS (INSERT INTO {schema}.events "
            "(stream_id, version, event_id, type, occurred_at, data, metadata) "
            "SELECT $1, $2 + u.n, u.id, u.t, u.o, u.d, u.m FROM unnest("
            "$3::uuid[], $4::text[], $5::timestamptz[], $6::jsonb[], $7::jsonb[]) "
            "WITH ORDINALITY AS u(id, t, o, d, m, n) RETURNING position) "
            f"SELECT array_agg(position ORDER BY position), "
            f"(SELECT pg_notify('{self.channel}', '')) FROM ins"
        )

    async def append(
        self,
        stream_id: str,
        events: Sequence[NewEvent],
        expected_version: int,
        conn: Connection | None = None,
    ) -> list[int]:
        """Append after `expected_version` in one statement; returns the positions."""
        args = (
            stream_id,
            expected_version,
            [e.event_id for e in events],
            [e.type for e in events],
            [e.occurred_at for e in events],
            [e.data for e in events],
            [e.metadata for e in events],
        )
        try:
            if conn is not None:
                async with conn.transaction():  # a savepoint: a conflict must not abort conn
                    position = await conn.fetchval(self._append_sql, *args)
            else:
                position = await self.pool.fetchval(self._append_sql, *args)
        except asyncpg.UniqueViolationError as exc:
            if exc.constraint_name != "events_stream_version":
                raise
            current = await self.stream_version(stream_id)
            raise ConcurrencyError(stream_id, expected_version, current) from None
        return list(position)

    async def stream_version(self, stream_id: str) -> int:
        sql = f"SELECT coalesce(max(version), 0) FROM {self.schema}.events WHERE stream_id = $1"
        return int(await self.pool.fetchval(sql, stream_id))

    async def read_stream(self, stream_id: str) -> list[RecordedEvent]:
        sql = f"SELECT {_COLUMNS} FROM {self.schema}.events WHERE stream_id = $1 ORDER BY version"
        return [_recorded(r) for r in await self.pool.fetch(sql, stream_id)]

    async def read_all(
        self, after: Checkpoint, limit: int = 500, conn: Connection | None = None
    ) -> list[RecordedEvent]:
        """Events committed after `after`, in global order, skipping none."""
        sql = (
            f"SELECT {_COLUMNS} FROM {self.schema}.events "
            "WHERE (tx_id, position) > ($1::text::xid8, $2) "
            "AND tx_id < pg_snapshot_xmin(pg_current_snapshot()) "
            "ORDER BY tx_id, position LIMIT $3"
        )
        args = (str(after.tx_id), after.position, limit)
        rows = await (conn or self.pool).fetch(sql, *args)
        return [_recorded(r) for r in rows]

    async def load_checkpoint(self, name: str, conn: Connection | None = None) -> Checkpoint:
        sql = (
            f"SELECT tx_id::text::bigint AS tx_id, position FROM {self.schema}.checkpoints "
            "WHERE name = $1"
        )
        row = await (conn or self.pool).fetchrow(sql, name)
        return Checkpoint(row["tx_id"], row["position"]) if row else Checkpoint()

    async def save_checkpoint(
        self, name: str, checkpoint: Checkpoint, conn: Connection | None = None
    ) -> None:
        sql = (
            f"INSERT INTO {self.schema}.checkpoints (name, tx_id, position) "
            "VALUES ($1, $2::text::xid8, $3) ON CONFLICT (name) DO UPDATE "
            "SET tx_id = excluded.tx_id, position = excluded.position"
        )
        await (conn or self.pool).execute(sql, name, str(checkpoint.tx_id), checkpoint.position)
