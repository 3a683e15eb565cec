"""The EU AI Act reads: one initiative's obligations and the AI register (PRODUCT.md 10).

The register reads of each row only its summary and facts, never the KPI series, and only
of the initiatives in pilot, MVP or production that are not killed: the systems in use.
"""

from __future__ import annotations

from datetime import datetime

import msgspec

from events.records import Facts
from infra.db import Pool
from services.projection import kept_rows
from services.projection.store import SCHEMA, SUMMARY
from services.projection.time_travel import rows_as_of
from services.projection.views.initiative import Initiative
from services.projection.views.obligations import REGISTERED, Obligations, obligations_of

FACTS = msgspec.json.Decoder(Facts)
REGISTER = (
    f"SELECT summary, doc->'facts' AS facts FROM {SCHEMA}.initiatives "
    "WHERE stage = ANY($1::text[]) AND status <> 'killed' ORDER BY title, initiative_id"
)


async def of_initiative(
    pool: Pool, initiative_id: str, now: datetime, as_of: datetime | None = None
) -> Obligations | None:
    """As they stand at `now`, or as they stood at `as_of` (overdue then; an `as_of` in the
    future reads them as they stand now: nothing is known of the future)."""
    if as_of is not None:
        row = (await rows_as_of(pool, as_of, initiative_id)).get(initiative_id)
        return obligations_of(row, min(as_of, now)) if row and row.summary.proposed_at else None
    row = await kept_rows.row(pool, initiative_id)
    return obligations_of(row, now) if row else None


async def register(pool: Pool, now: datetime, as_of: datetime | None = None) -> list[Obligations]:
    """Every system in use (pilot, MVP, production), by title; `as_of`: as it stood then."""
    if as_of is not None:
        rows = (await rows_as_of(pool, as_of)).values()
        kept = [r for r in rows if r.summary.stage in REGISTERED and r.summary.status != "killed"]
        kept.sort(key=lambda r: (r.summary.title, r.initiative_id))
        return [obligations_of(r, min(as_of, now)) for r in kept]
    records = await pool.fetch(REGISTER, list(REGISTERED))
    return [obligations_of(_row(r["summary"], r["facts"]), now) for r in records]


def _row(summary: bytes, facts: bytes | None) -> Initiative:
    s = SUMMARY.decode(summary)
    return Initiative(
        initiative_id=s.initiative_id, summary=s, facts=FACTS.decode(facts) if facts else Facts()
    )
