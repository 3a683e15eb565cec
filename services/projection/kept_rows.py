"""Initiative rows decoded once per version, per process: `GET /initiatives/{id}` decoded
the whole row on every request (a quarter of the API's time under load).

A row's version is its `xmin`, the transaction that wrote it: the query returns the
document only when the version differs from the one kept, so an unchanged row costs neither
its transfer nor its decoding, and a changed one is never served stale. Small rows only,
within a byte budget: long histories make rows of megabytes.

While the process hears what the projection applies (services/projection/watch.py), a
row is served without any query until a notification names its initiative (or the LISTEN
goes down). Only a row read while no notification arrived is trusted so: one read across a
notification might be older than it.
"""

from __future__ import annotations

from collections import OrderedDict

from infra.db import Pool
from services.projection import watch
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
        # (pool id, initiative) -> (xmin, size, row)
        self.rows: OrderedDict[tuple[int, str], tuple[str, int, Initiative]] = OrderedDict()
        self.trusted: set[tuple[int, str]] = set()  # served without a query

    async def row(self, pool: Pool, initiative_id: str) -> Initiative | None:
        key = (id(pool), initiative_id)
        kept = self.rows.get(key)
        heard = watch.watching(pool)
        if kept is not None and heard is not None and key in self.trusted:
            self.rows.move_to_end(key)
            return kept[2]
        changes = heard.changes if heard is not None else None
        found = await pool.fetchrow(SQL, initiative_id, kept[0] if kept else None)
        if found is None:
            return None
        version, doc = found[0], found[1]
        if doc is None and kept is not None:
            self.rows.move_to_end(key)
            self._trust(key, pool, changes)
            return kept[2]
        decoded = ROW.decode(doc)
        if kept is not None:
            self.size -= kept[1]
            del self.rows[key]
        if len(doc) <= LARGEST:
            self.rows[key] = (version, len(doc), decoded)
            self.size += len(doc)
            self._trust(key, pool, changes)
            while self.size > self.budget:
                evicted, (_, size, _) = self.rows.popitem(last=False)
                self.size -= size
                self.trusted.discard(evicted)
        return decoded

    def _trust(self, key: tuple[int, str], pool: Pool, changes: int | None) -> None:
        heard = watch.watching(pool)
        if heard is not None and heard.changes == changes:  # no notification raced the read
            self.trusted.add(key)

    def drop(self, pool_id: int, streams: frozenset[str] | None) -> None:
        """The projection changed these initiatives' rows (None: any row): ask again."""
        if streams is None:
            self.trusted = {k for k in self.trusted if k[0] != pool_id}
        else:
            self.trusted.difference_update((pool_id, s) for s in streams)


KEPT = KeptRows()
row = KEPT.row
watch.LISTENERS.append(KEPT.drop)
