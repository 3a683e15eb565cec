"""The read-model tables: encoding rows, applying one live event in the consumer's transaction.

Each stage's events arrive in their store's order (the stage's outbox relay is its only
publisher, and the projection's consumer has one message in flight), so an event is
either new or a repeat of one already in the timeline.
"""

from __future__ import annotations

import functools
from datetime import datetime

import msgspec
from msgspec.structs import replace

from events.base import type_parts
from events.envelope import CloudEvent
from infra.consumer import Retry, tracking_sql
from infra.db import Connection
from services.projection import inbox_store
from services.projection.contribution import COLUMNS as CONTRIBUTION
from services.projection.contribution import Contribution, contribution
from services.projection.portfolio import readiness_of
from services.projection.side import side_view
from services.projection.views.fold import decode
from services.projection.views.initiative import Initiative, initial, project, snapshot_due
from services.projection.views.obligations import marks
from services.projection.views.summary import Summary

SCHEMA = "projection"
CHANNEL = "projection_applied"  # what readers hear after each commit (watch.py)
EVERYTHING = "*"
PAYLOAD_MAX = 7000  # bytes; PostgreSQL's limit is 8000
ENCODER = msgspec.json.Encoder()
ROW = msgspec.json.Decoder(Initiative)
SUMMARY = msgspec.json.Decoder(Summary)
CLOUDEVENT = msgspec.json.Decoder(CloudEvent)
ROW_COLUMNS = (
    "initiative_id",
    "stage",
    "status",
    "owner",
    "risk_class",
    "title",
    "search",
    "entered_stage_at",
    "updated_at",
    *CONTRIBUTION,
    "summary",
    "doc",
)
TIMELINE_COLUMNS = (
    "seq",
    "event_id",
    "initiative_id",
    "stage",
    "type",
    "actor",
    "actorkind",
    "time",
    "body",
)
RowRecord = tuple[
    str,
    str,
    str,
    str,
    str | None,
    str,
    str,
    datetime | None,
    datetime | None,
    *Contribution,
    bytes,
    bytes,
]
TimelineRecord = tuple[int, str, str, str, str, str, str, datetime, bytes]
SnapshotRecord = tuple[str, int, datetime | None, bytes]


def row_record(row: Initiative) -> RowRecord:
    """The `summary` column also holds the readiness percent, so lists sort by it in SQL;
    the row's contribution to the portfolio figures is in columns of its own."""
    ready = readiness_of(row)
    s = replace(marks(row), readiness_percent=ready.percent if ready else None)
    search = " ".join((s.title, s.owner, s.sponsor, s.initiative_id, *s.tags)).lower()
    return (
        row.initiative_id,
        s.stage,
        s.status,
        s.owner,
        s.risk_class,
        s.title,
        search,
        s.entered_stage_at,
        s.updated_at,
        *contribution(row, s),
        ENCODER.encode(s),
        ENCODER.encode(row),
    )


def stage_of_type(type_: str) -> str:
    try:
        return type_parts(type_)[0]
    except ValueError:
        return "unknown"


def timeline_record(ce: CloudEvent, sequence: int) -> TimelineRecord:
    """`position` is the global position: the JetStream sequence. Messages published before
    `stageposition` existed carried the stage store's position as `position`: upcast."""
    ce = replace(ce, position=sequence, stageposition=ce.stageposition or ce.position)
    return (
        sequence,
        ce.id,
        ce.subject,
        stage_of_type(ce.type),
        ce.type,
        ce.actor,
        ce.actorkind,
        ce.time,
        ENCODER.encode(ce),
    )


def snapshot_record(initiative_id: str, sequence: int, row: Initiative) -> SnapshotRecord:
    """`updated_at` is the latest business time folded in: a snapshot serves any later as-of."""
    return initiative_id, sequence, row.summary.updated_at, ENCODER.encode(row)


def upsert_sql(schema: str) -> str:
    cols = ", ".join(ROW_COLUMNS)
    params = ", ".join(f"${i}" for i in range(1, len(ROW_COLUMNS) + 1))
    sets = ", ".join(f"{c} = EXCLUDED.{c}" for c in ROW_COLUMNS[1:])
    return (
        f"INSERT INTO {schema}.initiatives ({cols}) VALUES ({params}) "
        f"ON CONFLICT (initiative_id) DO UPDATE SET {sets}"
    )


def payload(position: int, streams: set[str] | None) -> str:
    """What readers hear: `position id id ...`, or `position *` for everything (or too many
    to name)."""
    names = " ".join(sorted(streams)) if streams is not None else EVERYTHING
    return f"{position} {names if len(names) <= PAYLOAD_MAX else EVERYTHING}"


def retired() -> Retry:
    return Retry("the read models were switched to a rebuild; applying there", delay=0.05)


@functools.cache
def _start_sql(schema: str) -> str:
    """One round trip before the fold: advance the position (it serialises writers and sees
    a switched-out schema), track the event for the consumer named $11 (unless NULL), add it
    to the timeline, lock and read its row, and NOTIFY readers $10 (watch.py) at the commit."""
    cols = ", ".join(TIMELINE_COLUMNS)
    new = "($11::text IS NULL OR EXISTS (SELECT FROM tracked))"
    return (
        f"WITH claimed AS (UPDATE {schema}.position SET sequence = GREATEST(sequence, $1),"
        " applied_at = now() RETURNING retired, sequence > $1 AS behind),"
        f" tracked AS ({tracking_sql(schema, '$11', '$2', '$11::text IS NOT NULL')}),"
        f" added AS (INSERT INTO {schema}.timeline ({cols}) SELECT $1, $2, $3, $4, $5, $6, $7,"
        f" $8, $9 WHERE {new} ON CONFLICT (event_id) DO NOTHING RETURNING true),"
        f" locked AS (SELECT doc FROM {schema}.initiatives WHERE initiative_id = $3 FOR UPDATE)"
        " SELECT (SELECT retired FROM claimed) AS retired, (SELECT behind FROM claimed) AS behind,"
        f" {new} AS new, EXISTS (SELECT FROM added) AS added, (SELECT doc FROM locked) AS doc,"
        f" CASE WHEN EXISTS (SELECT FROM added) THEN pg_notify('{CHANNEL}', $10) END AS told"
    )


async def apply_live(
    conn: Connection, ce: CloudEvent, sequence: int, schema: str = SCHEMA,
    tracked_by: str | None = None,
) -> bool:  # fmt: skip
    """Apply one event: skip a repeat, else add it to the timeline and fold it into its row.
    With `tracked_by`, the consumer's tracking row is written in the same statement, and
    False means that consumer handled the event before."""
    told = payload(sequence, {ce.subject})
    start = await conn.fetchrow(
        _start_sql(schema), *timeline_record(ce, sequence), told, tracked_by
    )
    assert start is not None  # a SELECT without FROM: always one row
    if start["retired"]:
        raise retired()
    if not start["added"]:
        return bool(start["new"])
    if start["behind"]:  # a snapshot holds every event before its sequence: later ones lack it
        await conn.execute(
            f"DELETE FROM {schema}.snapshots WHERE initiative_id = $1 AND seq > $2",
            ce.subject,
            sequence,
        )
    side = side_view(ce)
    if side is not None:  # an agent's or a trend's: not an initiative's row
        await side(conn, ce, sequence, schema)
        return True
    await _fold(conn, ce, sequence, schema, start["doc"])
    return True


async def _fold(
    conn: Connection, ce: CloudEvent, sequence: int, schema: str, doc: bytes | None
) -> None:
    event = decode(ce)
    if event is None:
        return
    before = ROW.decode(doc) if doc is not None else None
    row = project(before or initial(ce.subject), event)
    await conn.execute(upsert_sql(schema), *row_record(row))
    await inbox_store.write(conn, before, row, schema)
    if snapshot_due(ce.streamversion):
        await conn.execute(
            f"INSERT INTO {schema}.snapshots VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
            *snapshot_record(ce.subject, sequence, row),
        )
