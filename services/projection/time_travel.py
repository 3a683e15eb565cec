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


def _as_of_sql(one: bool) -> tuple[str, str]:
    """Each initiative's latest snapshot that holds nothing after $1, and the events after
    it up to $1; with `one`, only initiative $2 (kept literal so that the index serves it)."""
    only, only_t = (" AND initiative_id = $2", " AND t.initiative_id = $2") if one else ("", "")
    latest = (
        f"SELECT DISTINCT ON (initiative_id) initiative_id, seq, doc FROM {S} "
        f"WHERE updated_at <= $1{only} ORDER BY initiative_id, seq DESC"
    )
    after = (
        f"SELECT t.body FROM {T} t LEFT JOIN ({latest}) s ON s.initiative_id = t.initiative_id "
        f"WHERE t.time <= $1{only_t} AND t.seq > COALESCE(s.seq, 0) ORDER BY t.seq"
    )
    return latest, after


AS_OF_ALL, AS_OF_ONE = _as_of_sql(one=False), _as_of_sql(one=True)


async def rows_as_of(
    pool: Pool, as_of: datetime, initiative_id: str | None = None
) -> dict[str, Initiative]:
    """Rows as they were at `as_of` (business time): all of them, or one initiative's."""
    latest, after = AS_OF_ALL if initiative_id is None else AS_OF_ONE
    args = (as_of,) if initiative_id is None else (as_of, initiative_id)
    async with pool.acquire() as conn, conn.transaction(isolation="repeatable_read"):
        snapshots = await conn.fetch(latest, *args)
        bodies = await conn.fetch(after, *args)
    rows = {r["initiative_id"]: ROW.decode(r["doc"]) for r in snapshots}
    return fold(rows, (r["body"] for r in bodies))
