"""Initiative rows decoded once per version, per process: `GET /initiatives/{id}` decoded
the whole row on every request (a quarter of the API's time under load).

A row's version is its `xmin`, the transaction that wrote it: the query returns the
document only when the version differs from the one kept, so an unchanged row costs neither
its transfer nor its decoding, and a changed one is never served stale. Small rows only,
within a byte budget: long histories make rows of megabytes.
"""

from __future__ import annotations

from collections import OrderedDict

from infra.db import Pool
from services.projection.store import ROW, SCHEMA
from services.projection.views.initiative import Initiative

BUDGET = 4 * 2**20  # bytes of JSON kept (decoded rows take a few times that)
LARGEST = 128 * 2**10  # a larger row is decoded every time
SQL = (
    f"SELECT xmin::text, CASE WHEN xmin::text = $2 THEN NULL ELSE doc END "
    f"FROM {SCHEMA}.initiatives WHERE initiative_id = $1"
)


class KeptRows:
    def __init__(self, budget: int = BUDGET) -> None:
        self.budget = budget
        self.size = 0
        self.rows: OrderedDict[tuple[int, str], tuple[str, int, Initiative]] = OrderedDict()

    async def row(self, pool: Pool, initiative_id: str) -> Initiative | None:
        key = (id(pool), initiative_id)
        kept = self.rows.get(key)
        found = await pool.fetchrow(SQL, initiative_id, kept[0] if kept else None)
        if found is None:
            return None
        version, doc = found[0], found[1]
        if doc is None and kept is not None:
            self.rows.move_to_end(key)
            return kept[2]
        decoded = ROW.decode(doc)
        if kept is not None:
            self.size -= kept[1]
            del self.rows[key]
        if len(doc) <= LARGEST:
            self.rows[key] = (version, len(doc), decoded)
            self.size += len(doc)
            while self.size > self.budget:
                self.size -= self.rows.popitem(last=False)[1][1]
        return decoded


KEPT = KeptRows()
row = KEPT.row
