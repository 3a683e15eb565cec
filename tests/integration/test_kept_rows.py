"""Rows kept decoded per process (services/projection/kept_rows.py) are the rows as stored:
an unchanged row is served without its document, a changed one is read again at once."""

from __future__ import annotations

import uuid

from msgspec.structs import replace

from infra.db import connect, create_pool
from infra.migrations import migrate
from services.projection import queries
from services.projection.kept_rows import KeptRows
from services.projection.store import SCHEMA, row_record, upsert_sql
from services.projection.views.initiative import initial


async def test_a_kept_row_equals_a_fresh_read_before_and_after_it_changes(database_url: str):
    conn = await connect(database_url)
    await migrate(conn, SCHEMA, "projection")
    iid = f"kept-{uuid.uuid4().hex[:8]}"
    first = initial(iid)
    await conn.execute(upsert_sql(SCHEMA), *row_record(first))
    pool = await create_pool(database_url, max_size=2)
    kept = KeptRows()

    assert await kept.row(pool, iid) == first
    again = await kept.row(pool, iid)
    assert again is kept.rows[(id(pool), iid)][2], "an unchanged row is served as kept"

    changed = replace(first, summary=replace(first.summary, title="Renamed"))
    await conn.execute(upsert_sql(SCHEMA), *row_record(changed))
    assert await kept.row(pool, iid) == changed
    assert (await queries.get_initiative(pool, iid)) is not None

    await conn.execute(f"DELETE FROM {SCHEMA}.initiatives WHERE initiative_id = $1", iid)
    assert await kept.row(pool, iid) is None
    assert await kept.row(pool, "no-such-initiative") is None
    await pool.close()
    await conn.close()


async def test_rows_beyond_the_budget_are_forgotten_oldest_first(database_url: str):
    conn = await connect(database_url)
    await migrate(conn, SCHEMA, "projection")
    ids = [f"budget-{uuid.uuid4().hex[:8]}" for _ in range(3)]
    for iid in ids:
        await conn.execute(upsert_sql(SCHEMA), *row_record(initial(iid)))
    pool = await create_pool(database_url, max_size=2)
    one = len(row_record(initial(ids[0]))[-1])
    kept = KeptRows(budget=2 * one + one // 2)

    for iid in ids:
        assert (await kept.row(pool, iid)) == initial(iid)

    assert [k[1] for k in kept.rows] == ids[1:]
    assert kept.size <= kept.budget
    await conn.execute(f"DELETE FROM {SCHEMA}.initiatives WHERE initiative_id = ANY($1)", ids)
    await pool.close()
    await conn.close()
