"""Time travel: the read models as they were at a business time (`as_of`).

The timeline holds every event; folding all of an initiative's events with the view
functions gives its row at any moment, but a launched initiative collects thousands of KPI
measurements. So the projection keeps snapshots of a row (views/initiative.py says when),
each with `updated_at`, the latest business time folded into it. A snapshot whose
`updated_at` is not after `as_of` holds only events of that time or earlier, and so does
every snapshot before it: the row at `as_of` is the latest such snapshot plus the events
after it (by stream sequence) with `time` up to `as_of`, at most a few hundred of them.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from infra.db import Pool
from services.projection.store import CLOUDEVENT, ROW, SCHEMA
from services.projection.views.fold import decode
from services.projection.views.initiative import Initiative, initial, project

T = f"{SCHEMA}.timeline"
S = f"{SCHEMA}.snapshots"


def fold(rows: dict[str, Initiative], bodies: Iterable[bytes]) -> dict[str, Initiative]:
    """Fold stored CloudEvents (in stream order) onto rows; the timeline holds each event once."""
    for body in bodies:
        ce = CLOUDEVENT.decode(body)
        event = decode(ce)
        if event is not None:
            rows[ce.subject] = project(rows.get(ce.subject) or initial(ce.subject), event)
    return rows


def _latest(where: str = "") -> str:
    """Each initiative's latest snapshot holding nothing after $1."""
    return (
        f"SELECT DISTINCT ON (initiative_id) initiative_id, seq, doc FROM {S} "
        f"WHERE updated_at <= $1{where} ORDER BY initiative_id, seq DESC"
    )


LATEST_ALL, LATEST_ONE = _latest(), _latest(" AND initiative_id = $2")
AFTER_ALL = (  # every initiative's events after its snapshot, up to $1
    f"SELECT t.body FROM {T} t LEFT JOIN ({LATEST_ALL}) s ON s.initiative_id = t.initiative_id "
    "WHERE t.time <= $1 AND t.seq > COALESCE(s.seq, 0) ORDER BY t.seq"
)
AFTER_ONE = (  # a range of the (initiative_id, seq) index
    f"SELECT body FROM {T} WHERE initiative_id = $1 AND seq > $2 AND time <= $3 ORDER BY seq"
)


async def rows_as_of(
    pool: Pool, as_of: datetime, initiative_id: str | None = None
) -> dict[str, Initiative]:
    """Rows as they were at `as_of` (business time): all of them, or one initiative's."""
    async with pool.acquire() as conn, conn.transaction(isolation="repeatable_read"):
        if initiative_id is None:
            snapshots = await conn.fetch(LATEST_ALL, as_of)
            bodies = await conn.fetch(AFTER_ALL, as_of)
        else:
            snapshots = await conn.fetch(LATEST_ONE, as_of, initiative_id)
            after = snapshots[0]["seq"] if snapshots else 0
            bodies = await conn.fetch(AFTER_ONE, initiative_id, after, as_of)
    rows = {r["initiative_id"]: ROW.decode(r["doc"]) for r in snapshots}
    return fold(rows, (r["body"] for r in bodies))
