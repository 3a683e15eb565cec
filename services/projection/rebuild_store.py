"""The tables a rebuild writes: load a partial rebuild to resume it, checkpoint, switch in."""

from __future__ import annotations

import uuid

from events.envelope import CloudEvent
from infra.db import Connection
from infra.migrations import migrate
from services.projection import inbox_store
from services.projection.seen import Seen
from services.projection.side import side_view
from services.projection.store import (
    ROW,
    ROW_COLUMNS,
    SCHEMA,
    TIMELINE_COLUMNS,
    row_record,
    snapshot_record,
    timeline_record,
)
from services.projection.views.fold import Fold, Folded
from services.projection.views.initiative import Initiative

NEXT = f"{SCHEMA}_next"
OLD = f"{SCHEMA}_old"
# Rows a rebuild keeps in memory (about 3 to 6 kB each); the others are read again when an
# event needs them. Events that cycle through more initiatives than this miss every time.
ROWS_KEPT = 20_000
# The rows' documents are compressed as PostgreSQL stores them, the last checkpoint's all at
# once: lz4, where the server has it, is several times faster than the default pglz (this
# session's writes only; a value reads the same whichever compressed it).
# Indexes a rebuild leaves out while it writes, and builds before it switches: one sorted
# build costs a fraction of a million inserts into each (1M events: the timeline's writes
# 18.4 -> 13.4 s, the tracking's 8.1 -> 2.9 s; the three builds 3.2 s). Nothing the rebuild
# reads uses them (it asks the timeline by event id, whose unique index stays). The
# definitions are the migrations'; a test compares the switched schema's with a migrated one.
DEFERRED_DROP = (
    f"DROP INDEX IF EXISTS {NEXT}.timeline_initiative",
    f"DROP INDEX IF EXISTS {NEXT}.timeline_time",
    f"ALTER TABLE {NEXT}.processed DROP CONSTRAINT IF EXISTS processed_pkey",
)
DEFERRED_BUILD = (
    f"CREATE INDEX IF NOT EXISTS timeline_initiative ON {NEXT}.timeline (initiative_id, seq)",
    f"CREATE INDEX IF NOT EXISTS timeline_time ON {NEXT}.timeline (time)",
    f"""DO $$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_constraint WHERE conrelid = '{NEXT}.processed'::regclass
                 AND contype = 'p') THEN
    ALTER TABLE {NEXT}.processed ADD PRIMARY KEY (consumer, event_id);
  END IF;
END $$""",
)
FAST_COMPRESSION = """DO $$ BEGIN
  IF EXISTS (SELECT FROM pg_settings WHERE name = 'default_toast_compression'
             AND 'lz4' = ANY(enumvals)) THEN SET default_toast_compression = lz4; END IF;
END $$"""


async def prepare(conn: Connection, keep: int | None = ROWS_KEPT) -> tuple[Fold, int]:
    """Create the next schema, or resume what an interrupted rebuild left in it: its rows
    are read when an event needs them, its timeline tells repeats."""
    await conn.execute(f"DROP SCHEMA IF EXISTS {OLD} CASCADE")
    await migrate(conn, NEXT, "projection")
    await conn.execute(FAST_COMPRESSION)
    for sql in DEFERRED_DROP:
        await conn.execute(sql)
    position = await conn.fetchval(f"SELECT sequence FROM {NEXT}.position")
    return Fold(keep), int(position)


async def fresh(conn: Connection) -> bool:
    """Nothing stored in the next schema yet: a run from here has applied only what it saw."""
    return bool(await conn.fetchval(f"SELECT NOT EXISTS (SELECT FROM {NEXT}.timeline)"))


async def load(
    conn: Connection, fold: Fold, chunk: list[tuple[int, CloudEvent]], seen: Seen | None = None
) -> None:
    """Before folding a chunk: its events already in the timeline are repeats (`seen`), and
    the rows of its initiatives that are not in memory come back from the next schema.
    With `seen` (a run that started from an empty timeline), only the ids it cannot rule
    out are asked about: none, in most chunks."""
    ids = [ce.id for _, ce in chunk]
    if seen is not None:
        ids = seen.add(ids)
    sql = f"SELECT event_id FROM {NEXT}.timeline WHERE event_id = ANY($1::text[])"
    known = await conn.fetch(sql, ids) if ids else []
    # the chunk before this one is stored only as this one is folded: its ids count too
    fold.seen = {r["event_id"] for r in known} | {ce.id for _, ce in fold.applied}
    # not `set - rows.keys()`: that walks every row in memory, 20,000 a chunk (2.5 s of a
    # 1M-event rebuild)
    rows = fold.rows
    absent = [i for i in {ce.subject for _, ce in chunk} if i not in rows]
    if absent:
        docs = await conn.fetch(
            f"SELECT doc FROM {NEXT}.initiatives WHERE initiative_id = ANY($1)", absent
        )
        for r in docs:
            row = ROW.decode(r["doc"])
            fold.rows[row.initiative_id] = row


async def flush(conn: Connection, folded: Folded, durable: str) -> None:
    """Inside the open checkpoint transaction, what a chunk's fold left (`Fold.detach`): its
    timeline, tracking, snapshots and side views, and the changed rows evicted."""
    await conn.copy_records_to_table(
        "timeline", records=(timeline_record(ce, seq) for seq, ce in folded.applied),
        columns=TIMELINE_COLUMNS, schema_name=NEXT,
    )  # fmt: skip
    await conn.copy_records_to_table(
        "processed",
        records=((durable, i) for i in (_uuid(ce.id) for _, ce in folded.applied) if i),
        columns=("consumer", "event_id"), schema_name=NEXT,
    )  # fmt: skip
    if folded.snapshots:
        snapshots = [snapshot_record(*s) for s in folded.snapshots]
        await conn.copy_records_to_table("snapshots", records=snapshots, schema_name=NEXT)
    for sequence, ce in folded.applied:  # agents' and trends' views, in stream order
        side = side_view(ce)
        if side is not None:
            await side(conn, ce, sequence, NEXT)
    await write_rows(conn, folded.evicted)


async def checkpoint(conn: Connection, fold: Fold, position: int) -> None:
    """In the open checkpoint transaction, before its commit: the changed rows, the position."""
    await write_rows(conn, [fold.rows[i] for i in fold.changed])
    await conn.execute(f"UPDATE {NEXT}.position SET sequence = $1, applied_at = now()", position)
    fold.changed.clear()


async def write_rows(conn: Connection, rows: list[Initiative]) -> None:
    """Records are made as COPY sends them (a generator): never every encoded row at once."""
    if not rows:
        return
    await conn.execute(
        f"DELETE FROM {NEXT}.initiatives WHERE initiative_id = ANY($1)",
        [r.initiative_id for r in rows],
    )
    await conn.copy_records_to_table(
        "initiatives", records=(row_record(r) for r in rows), columns=ROW_COLUMNS,
        schema_name=NEXT,
    )  # fmt: skip
    await inbox_store.write_many(conn, rows, NEXT)


def _uuid(value: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(value)
    except ValueError:
        return None


async def build_indexes(conn: Connection) -> None:
    """The indexes left out while writing (before the switch, outside its lock)."""
    await conn.execute("SET maintenance_work_mem = '256MB'")
    for sql in DEFERRED_BUILD:
        await conn.execute(sql)
    await conn.execute("RESET maintenance_work_mem")


async def initiatives(conn: Connection) -> int:
    return int(await conn.fetchval(f"SELECT count(*) FROM {SCHEMA}.initiatives"))


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


__all__ = [
    "NEXT", "build_indexes", "checkpoint", "drop_old", "flush", "fresh", "load", "lock_live",
    "prepare", "switch",
]  # fmt: skip
