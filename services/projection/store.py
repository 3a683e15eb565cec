"""The read-model tables: encoding rows, applying one live event in the consumer's transaction."""

from __future__ import annotations

from datetime import datetime

import msgspec

from events.base import type_parts
from events.envelope import CloudEvent
from infra.consumer import Retry
from infra.db import Connection
from services.projection.views.fold import decode
from services.projection.views.initiative import (
    Initiative,
    admit,
    initial,
    project,
    store_stream,
)
from services.projection.views.summary import Summary

SCHEMA = "projection"
ENCODER = msgspec.json.Encoder()
ROW = msgspec.json.Decoder(Initiative)
SUMMARY = msgspec.json.Decoder(Summary)
CLOUDEVENT = msgspec.json.Decoder(CloudEvent)
ROW_COLUMNS = (
    "initiative_id", "stage", "status", "owner", "risk_class", "title", "search",
    "entered_stage_at", "updated_at", "summary", "doc",
)  # fmt: skip
TIMELINE_COLUMNS = (
    "seq", "event_id", "initiative_id", "stage", "type", "actor", "actorkind", "time", "body",
)  # fmt: skip
RowRecord = tuple[
    str, str, str, str, str | None, str, str, datetime | None, datetime | None, bytes, bytes
]
TimelineRecord = tuple[int, str, str, str, str, str, str, datetime, bytes]


def row_record(row: Initiative) -> RowRecord:
    s = row.summary
    search = " ".join((s.title, s.owner, s.sponsor, s.initiative_id, *s.tags)).lower()
    return (
        row.initiative_id, s.stage, s.status, s.owner, s.risk_class, s.title, search,
        s.entered_stage_at, s.updated_at, ENCODER.encode(s), ENCODER.encode(row),
    )  # fmt: skip


def stage_of_type(type_: str) -> str:
    try:
        return type_parts(type_)[0]
    except ValueError:
        return "unknown"


def timeline_record(ce: CloudEvent, sequence: int) -> TimelineRecord:
    return (
        sequence, ce.id, ce.subject, stage_of_type(ce.type), ce.type, ce.actor, ce.actorkind,
        ce.time, ENCODER.encode(ce),
    )  # fmt: skip


def upsert_sql(schema: str) -> str:
    cols = ", ".join(ROW_COLUMNS)
    params = ", ".join(f"${i}" for i in range(1, len(ROW_COLUMNS) + 1))
    sets = ", ".join(f"{c} = EXCLUDED.{c}" for c in ROW_COLUMNS[1:])
    return (
        f"INSERT INTO {schema}.initiatives ({cols}) VALUES ({params}) "
        f"ON CONFLICT (initiative_id) DO UPDATE SET {sets}"
    )


async def claim(conn: Connection, schema: str, sequence: int) -> None:
    """Advance the position first: it serialises writers and sees a switched-out schema."""
    retired = await conn.fetchval(
        f"UPDATE {schema}.position SET sequence = GREATEST(sequence, $1), applied_at = now() "
        "RETURNING retired",
        sequence,
    )
    if retired:
        raise Retry("the read models were switched to a rebuild; applying there", delay=0.05)


async def apply_live(conn: Connection, ce: CloudEvent, sequence: int, schema: str = SCHEMA) -> None:
    """Apply one event: skip a repeat, wait for a missing predecessor, else fold and store."""
    await claim(conn, schema, sequence)
    stage = store_stream(ce.type)
    last = await conn.fetchval(
        f"SELECT version FROM {schema}.stream_versions WHERE stage = $1 AND initiative_id = $2 "
        "FOR UPDATE", stage, ce.subject,
    )  # fmt: skip
    verdict = admit(last or 0, ce.streamversion)
    if verdict == "repeat":
        return
    if verdict == "early":
        raise Retry(f"{ce.type} v{ce.streamversion} of {ce.subject} before v{(last or 0) + 1}")
    cols = ", ".join(TIMELINE_COLUMNS)
    await conn.execute(
        f"INSERT INTO {schema}.timeline ({cols}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) "
        "ON CONFLICT (event_id) DO NOTHING", *timeline_record(ce, sequence),
    )  # fmt: skip
    if ce.streamversion:
        await conn.execute(
            f"INSERT INTO {schema}.stream_versions VALUES ($1, $2, $3) ON CONFLICT "
            "(stage, initiative_id) DO UPDATE SET version = EXCLUDED.version",
            stage, ce.subject, ce.streamversion,
        )  # fmt: skip
    await _fold(conn, ce, schema)


async def _fold(conn: Connection, ce: CloudEvent, schema: str) -> None:
    event = decode(ce)
    if event is None:
        return
    doc = await conn.fetchval(
        f"SELECT doc FROM {schema}.initiatives WHERE initiative_id = $1 FOR UPDATE", ce.subject
    )
    row = ROW.decode(doc) if doc is not None else initial(ce.subject)
    await conn.execute(upsert_sql(schema), *row_record(project(row, event)))
