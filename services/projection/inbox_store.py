"""The inbox table: written with its initiative's row (live and in a rebuild), read per user.

The rows are a pure function of the initiative's row (views/inbox.py), so a rebuild
writes exactly what the live projection wrote.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

import msgspec

from infra.db import Connection, Pool
from services.projection.views.inbox import Addressed, InboxItem, as_read, items
from services.projection.views.initiative import Initiative

SCHEMA = "projection"
COLUMNS = ("initiative_id", "key", "kind", "since", "accounts", "roles", "names", "done_by", "item")
ENCODER = msgspec.json.Encoder()
ITEM = msgspec.json.Decoder(InboxItem)
Record = tuple[str, str, str, datetime, list[str], list[str], list[str], list[str], bytes]
# waiting on the user (by account, role or name) and not done by them
FOR_USER = (
    "(accounts @> ARRAY[$1::text] OR roles @> ARRAY[$2::text] OR names @> ARRAY[lower($1)])"
    " AND NOT done_by @> ARRAY[$1::text]"
)


def records(row: Initiative) -> list[Record]:
    return [_record(a) for a in items(row)]


def _record(a: Addressed) -> Record:
    i = a.item
    audience = (list(a.accounts), [str(r) for r in a.roles], list(a.names), list(a.done_by))
    return (i.initiative_id, i.key, i.kind, i.since, *audience, ENCODER.encode(i))


async def write(
    conn: Connection, before: Initiative | None, after: Initiative, schema: str = SCHEMA
) -> None:
    """Replace the initiative's inbox rows when anything waits or what waits changed."""
    new = items(after)
    if not new and (before is None or not items(before)):
        return
    await conn.execute(f"DELETE FROM {schema}.inbox WHERE initiative_id = $1", after.initiative_id)
    await conn.executemany(_insert(schema), [_record(a) for a in new])


async def write_many(conn: Connection, rows: Iterable[Initiative], schema: str) -> None:
    """For a rebuild's checkpoint: the rows' inbox items, replacing what was there. Records
    are made as COPY sends them (PostgreSQL stores the first while the next are made)."""
    rows = list(rows)
    await conn.execute(
        f"DELETE FROM {schema}.inbox WHERE initiative_id = ANY($1)",
        [r.initiative_id for r in rows],
    )
    found = (record for r in rows for record in records(r))
    await conn.copy_records_to_table("inbox", records=found, columns=COLUMNS, schema_name=schema)


def _insert(schema: str) -> str:
    params = ", ".join(f"${i}" for i in range(1, len(COLUMNS) + 1))
    return f"INSERT INTO {schema}.inbox ({', '.join(COLUMNS)}) VALUES ({params})"


async def for_user(pool: Pool, account: str, role: str, limit: int = 500) -> list[InboxItem]:
    """What waits on a user, oldest first."""
    rows = await pool.fetch(
        f"SELECT item FROM {SCHEMA}.inbox WHERE {FOR_USER} ORDER BY since, initiative_id, key "
        "LIMIT $3",
        account,
        role,
        limit,
    )
    now = datetime.now(UTC)
    return [as_read(ITEM.decode(r["item"]), now) for r in rows]


async def count_for_user(pool: Pool, account: str, role: str) -> int:
    n = await pool.fetchval(f"SELECT count(*) FROM {SCHEMA}.inbox WHERE {FOR_USER}", account, role)
    return int(n or 0)


async def of_initiative(pool: Pool, initiative_id: str) -> list[Addressed]:
    """Everything waiting on anyone for one initiative, with whom it waits on."""
    rows = await pool.fetch(
        f"SELECT accounts, roles, names, done_by, item FROM {SCHEMA}.inbox "
        "WHERE initiative_id = $1 ORDER BY since, key",
        initiative_id,
    )
    return [_addressed(r) for r in rows]


async def waiting_on(pool: Pool, initiative_ids: Sequence[str]) -> set[str]:
    """Those of the initiatives for which anything waits on anyone (one query for all)."""
    rows = await pool.fetch(
        f"SELECT DISTINCT initiative_id FROM {SCHEMA}.inbox WHERE initiative_id = ANY($1)",
        list(initiative_ids),
    )
    return {r[0] for r in rows}


def _addressed(row: Any) -> Addressed:  # a database row
    return Addressed(
        item=ITEM.decode(row["item"]),
        accounts=tuple(row["accounts"]),
        roles=tuple(row["roles"]),
        names=tuple(row["names"]),
        done_by=tuple(row["done_by"]),
    )


async def overdue_reviews(pool: Pool) -> dict[str, InboxItem]:
    """The reviews waiting past their service level, by initiative: the board and the
    review queue mark them."""
    rows = await pool.fetch(
        f"SELECT item FROM {SCHEMA}.inbox WHERE kind = 'review' AND (item->>'overdue')::boolean"
    )
    found = (ITEM.decode(r["item"]) for r in rows)
    return {i.initiative_id: i for i in found}
