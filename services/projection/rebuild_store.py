"""The tables a rebuild writes: load a partial rebuild to resume it, checkpoint, switch in."""

from __future__ import annotations

import uuid

from infra.db import Connection
from infra.migrations import migrate
from services.projection import inbox_store
from services.projection.side import side_view
from services.projection.store import (
    CLOUDEVENT,
    ROW,
    ROW_COLUMNS,
    SCHEMA,
    TIMELINE_COLUMNS,
    row_record,
    snapshot_record,
    timeline_record,
)
from services.projection.views.fold import Fold

NEXT = f"{SCHEMA}_next"
OLD = f"{SCHEMA}_old"


async def prepare(conn: Connection) -> tuple[Fold, int]:
    """Create the next schema, or load what an interrupted rebuild left in it."""
    await conn.execute(f"DROP SCHEMA IF EXISTS {OLD} CASCADE")
    await migrate(conn, NEXT, "projection")
    fold = Fold()
    for r in await conn.fetch(f"SELECT doc FROM {NEXT}.initiatives"):
        row = ROW.decode(r["doc"])
        fold.rows[row.initiative_id] = row
    fold.seen = {r["event_id"] for r in await conn.fetch(f"SELECT event_id FROM {NEXT}.timeline")}
    position = await conn.fetchval(f"SELECT sequence FROM {NEXT}.position")
    return fold, int(position)


async def checkpoint(conn: Connection, fold: Fold, position: int, durable: str) -> None:
    """Write what the fold changed since the last checkpoint, and the position, atomically."""
    async with conn.transaction():
        await _write(conn, fold, durable)
        await conn.execute(
            f"UPDATE {NEXT}.position SET sequence = $1, applied_at = now()", position
        )
    fold.changed.clear()
    fold.applied.clear()
    fold.snapshots.clear()


async def _write(conn: Connection, fold: Fold, durable: str) -> None:
    """Records are made as COPY sends them (generators): a checkpoint never holds every
    changed row's encoded document at once."""
    changed = [fold.rows[i] for i in fold.changed]
    await conn.execute(
        f"DELETE FROM {NEXT}.initiatives WHERE initiative_id = ANY($1)", list(fold.changed)
    )
    await conn.copy_records_to_table(
        "initiatives", records=(row_record(r) for r in changed), columns=ROW_COLUMNS,
        schema_name=NEXT,
    )  # fmt: skip
    await inbox_store.write_many(conn, changed, NEXT)
    await conn.copy_records_to_table(
        "timeline", records=(timeline_record(ce, seq) for seq, ce in fold.applied),
        columns=TIMELINE_COLUMNS, schema_name=NEXT,
    )  # fmt: skip
    await conn.copy_records_to_table(
        "processed",
        records=((durable, i) for i in (_uuid(ce.id) for _, ce in fold.applied) if i),
        columns=("consumer", "event_id"), schema_name=NEXT,
    )  # fmt: skip
    await conn.copy_records_to_table(
        "snapshots", records=[snapshot_record(*s) for s in fold.snapshots], schema_name=NEXT
    )
    for sequence, ce in fold.applied:  # agents' and trends' views, in stream order
        side = side_view(ce)
        if side is not None:
            await side(conn, ce, sequence, NEXT)


def _uuid(value: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(value)
    except ValueError:
        return None


async def live_exists(conn: Connection) -> bool:
    return bool(await conn.fetchval(f"SELECT to_regclass('{SCHEMA}.position') IS NOT NULL"))


async def live_position(conn: Connection) -> int:
    if not await live_exists(conn):
        return 0
    return int(await conn.fetchval(f"SELECT sequence FROM {SCHEMA}.position"))


async def lock_live(conn: Connection) -> int:
    """Inside the switch transaction: hold off live writers; returns their position."""
    if not await live_exists(conn):
        return 0
    return int(await conn.fetchval(f"SELECT sequence FROM {SCHEMA}.position FOR UPDATE"))


async def switch(conn: Connection) -> None:
    """In the switch transaction: retire the live schema and put the rebuilt one in its place."""
    if await live_exists(conn):
        await conn.execute(f"UPDATE {SCHEMA}.position SET retired = true")
        await conn.execute(f"ALTER SCHEMA {SCHEMA} RENAME TO {OLD}")
    await conn.execute(f"ALTER SCHEMA {NEXT} RENAME TO {SCHEMA}")


async def drop_old(conn: Connection) -> None:
    await conn.execute(f"DROP SCHEMA IF EXISTS {OLD} CASCADE")


__all__ = ["CLOUDEVENT", "NEXT", "checkpoint", "drop_old", "lock_live", "prepare", "switch"]
