"""The portfolio figures the way they were computed before the read model: every matching
row's summary, gate history, visits and business case decoded, and the pure
`portfolio()` over them. The reference of the equivalence test and the benchmark's "before".

Rows in initiative id order: the order the read model's figures break ties in.
"""

from __future__ import annotations

from datetime import datetime

import msgspec

from infra.db import Pool
from services.projection import portfolio as figures
from services.projection.board import VISITS, Filters
from services.projection.models import Portfolio
from services.projection.queries import I
from services.projection.store import SUMMARY
from services.projection.views.business_case import CaseRow
from services.projection.views.gate_history import GateHistory
from services.projection.views.initiative import Initiative

GATES = msgspec.json.Decoder(GateHistory)
CASES = msgspec.json.Decoder(CaseRow)


async def rows(pool: Pool, f: Filters) -> list[Initiative]:
    where, args = f.sql()
    records = await pool.fetch(
        f"SELECT initiative_id, summary, doc->'gates' AS gates, doc->'visits' AS visits, "
        f"doc->'business_case' AS business_case FROM {I}{where} ORDER BY initiative_id",
        *args,
    )
    return [
        Initiative(
            initiative_id=r["initiative_id"],
            summary=SUMMARY.decode(r["summary"]),
            gates=GATES.decode(r["gates"]),
            visits=VISITS.decode(r["visits"]),
            business_case=CASES.decode(r["business_case"]) if r["business_case"] else CaseRow(),
        )
        for r in records
    ]


async def reference(pool: Pool, f: Filters, now: datetime, stale_days: int) -> Portfolio:
    return figures.portfolio(await rows(pool, f), now, stale_days)
