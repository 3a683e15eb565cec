"""The radar's side view: the trends table and each trend's ring moves.

Called in stream order by the live consumer (in its transaction, after the timeline
insert) and by the rebuild (in its checkpoint transaction). It is idempotent all the
same: a trend's row remembers the last sequence folded in, and a move is keyed by its
event id, so applying an event twice changes nothing.
"""

from __future__ import annotations

import logging

import msgspec

from events.envelope import CloudEvent
from events.trends import EVENT_DECODER, TrendMoved
from infra.db import Connection
from services.projection.views.trend import Trend, project

log = logging.getLogger(__name__)
TREND = msgspec.json.Decoder(Trend)
ENCODER = msgspec.json.Encoder()
COLUMNS = ("trend_id", "name", "quadrant", "ring", "search", "initiatives", "added_at",
           "updated_at", "seq", "doc")  # fmt: skip


def _upsert(schema: str) -> str:
    params = ", ".join(f"${i}" for i in range(1, len(COLUMNS) + 1))
    sets = ", ".join(f"{c} = EXCLUDED.{c}" for c in COLUMNS[1:])
    return (
        f"INSERT INTO {schema}.trends ({', '.join(COLUMNS)}) VALUES ({params}) "
        f"ON CONFLICT (trend_id) DO UPDATE SET {sets}"
    )


def _record(trend: Trend, sequence: int) -> tuple[object, ...]:
    search = f"{trend.name} {trend.description} {trend.trend_id}".lower()
    return (
        trend.trend_id, trend.name, trend.quadrant, trend.ring, search,
        list(trend.initiatives), trend.added_at, trend.updated_at, sequence,
        ENCODER.encode(trend),
    )  # fmt: skip


async def apply(conn: Connection, ce: CloudEvent, sequence: int, schema: str) -> None:
    """Fold one trend event into its row; a move also joins the trend's ring history."""
    try:
        event = EVENT_DECODER.decode(ce.data)
    except msgspec.ValidationError as exc:  # a newer build's event: the timeline keeps it
        log.warning("trends view skips %s %s: %s", ce.type, ce.id, exc)
        return
    found = await conn.fetchrow(
        f"SELECT seq, doc FROM {schema}.trends WHERE trend_id = $1 FOR UPDATE", ce.subject
    )
    if found is not None and found["seq"] >= sequence:
        return  # folded in already
    if isinstance(event, TrendMoved):
        await conn.execute(
            f"INSERT INTO {schema}.trend_moves VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) "
            "ON CONFLICT (event_id) DO NOTHING",
            ce.id, ce.subject, sequence, event.at, event.from_ring, event.to_ring,
            event.rationale, ce.actor, ce.actorkind,
        )  # fmt: skip
    before = TREND.decode(found["doc"]) if found is not None else None
    after = project(before, event)
    if after is not None:
        await conn.execute(_upsert(schema), *_record(after, sequence))
