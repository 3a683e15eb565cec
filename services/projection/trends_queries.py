"""The radar's reads: trends now (the trends table) or as they stood (`as_of`: the trends'
events folded from the timeline), a trend with its ring history and linked initiatives,
and the trends linked to one initiative (its dossier)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

import msgspec

from events.envelope import CloudEvent
from events.trends import EVENT_DECODER
from infra.db import Pool
from services.projection.store import SCHEMA
from services.projection.trends_store import TREND
from services.projection.views.trend import Trend, project

_CLOUDEVENT = msgspec.json.Decoder(CloudEvent)
_TIMELINE = f"SELECT body FROM {SCHEMA}.timeline WHERE stage = 'trends' AND time <= $1"


class RingMove(msgspec.Struct, frozen=True, kw_only=True):
    at: datetime
    from_ring: str
    to_ring: str
    rationale: str
    actor: str
    actorkind: str


class LinkedInitiative(msgspec.Struct, frozen=True, kw_only=True):
    initiative_id: str
    title: str
    stage: str
    status: str


class TrendDetail(Trend, frozen=True, kw_only=True):
    """A trend with its ring moves (oldest first) and the initiatives it affects."""

    moves: list[RingMove] = []
    linked: list[LinkedInitiative] = []


def fold(bodies: Iterable[bytes]) -> dict[str, Trend]:
    """Trends from their stored CloudEvents, in stream order."""
    found: dict[str, Trend] = {}
    for body in bodies:
        ce = _CLOUDEVENT.decode(body)
        try:
            event = EVENT_DECODER.decode(ce.data)
        except msgspec.ValidationError:
            continue
        trend = project(found.get(ce.subject), event)
        if trend is not None:
            found[ce.subject] = trend
    return found


def _matches(t: Trend, ring: str | None, quadrant: str | None, q: str | None) -> bool:
    text = f"{t.name} {t.description} {t.trend_id}".lower()
    return (ring in (None, t.ring) and quadrant in (None, t.quadrant)
            and (not q or q.lower() in text))  # fmt: skip


async def list_trends(
    pool: Pool, *, ring: str | None = None, quadrant: str | None = None, q: str | None = None,
    as_of: datetime | None = None,
) -> list[Trend]:  # fmt: skip
    """By quadrant, ring and name. With `as_of` the radar as it stood then."""
    if as_of is not None:
        rows = await pool.fetch(_TIMELINE + " ORDER BY seq", as_of)
        trends: Iterable[Trend] = fold(bytes(r["body"]) for r in rows).values()
    else:
        trends = (
            TREND.decode(r["doc"]) for r in await pool.fetch(f"SELECT doc FROM {SCHEMA}.trends")
        )
    kept = [t for t in trends if _matches(t, ring, quadrant, q)]
    return sorted(kept, key=lambda t: (t.quadrant, t.ring, t.name.lower(), t.trend_id))


async def get_trend(pool: Pool, trend_id: str, as_of: datetime | None = None) -> TrendDetail | None:
    """The trend (as it stood at `as_of`), its ring moves up to then, its initiatives."""
    if as_of is None:
        doc = await pool.fetchval(f"SELECT doc FROM {SCHEMA}.trends WHERE trend_id = $1", trend_id)
        trend = TREND.decode(doc) if doc is not None else None
    else:
        sql = _TIMELINE + " AND initiative_id = $2 ORDER BY seq"
        trend = fold(bytes(r["body"]) for r in await pool.fetch(sql, as_of, trend_id)).get(trend_id)
    if trend is None:
        return None
    moves = await pool.fetch(
        f"SELECT at, from_ring, to_ring, rationale, actor, actorkind FROM {SCHEMA}.trend_moves "
        "WHERE trend_id = $1 AND ($2::timestamptz IS NULL OR at <= $2) ORDER BY seq",
        trend_id, as_of,
    )  # fmt: skip
    fields = msgspec.structs.asdict(trend)
    return TrendDetail(
        **fields, moves=[RingMove(**dict(m)) for m in moves],
        linked=await linked(pool, trend.initiatives),
    )  # fmt: skip


async def linked(pool: Pool, initiative_ids: Iterable[str]) -> list[LinkedInitiative]:
    """Title, stage and status from the initiatives' read model, in the order given."""
    ids = list(initiative_ids)
    rows = await pool.fetch(
        f"SELECT initiative_id, title, stage, status FROM {SCHEMA}.initiatives "
        "WHERE initiative_id = ANY($1)",
        ids,
    )
    found = {r["initiative_id"]: LinkedInitiative(**dict(r)) for r in rows}
    return [found[i] for i in ids if i in found]


async def of_initiative(pool: Pool, initiative_id: str) -> list[Trend]:
    """The trends linked to an initiative (its dossier's radar section)."""
    rows = await pool.fetch(
        f"SELECT doc FROM {SCHEMA}.trends WHERE initiatives @> ARRAY[$1::text] ORDER BY name",
        initiative_id,
    )
    return [TREND.decode(r["doc"]) for r in rows]


async def initiative_exists(pool: Pool, initiative_id: str) -> bool:
    """In the initiatives' read model (a trend's id in the timeline is no initiative)."""
    found = await pool.fetchval(
        f"SELECT 1 FROM {SCHEMA}.initiatives WHERE initiative_id = $1", initiative_id
    )
    return found is not None
