"""The event store's batched read (read_all: plain columns decoded by asyncpg in C, data and
metadata as the bytes of their JSON text) returns exactly what a row-by-row read through the
pool's codecs gives, and what the earlier read (one JSON array per batch, built by the server)
gave, in the same order and with the same types, also while writers commit concurrently and
late."""

from __future__ import annotations

import asyncio
import functools
import gc
import json
import random
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from uuid import UUID

import asyncpg
import msgspec
import pytest
import pytest_asyncio

from infra.db import Pool, create_pool
from infra.eventstore import Checkpoint, EventStore, NewEvent, RecordedEvent
from infra.migrations import migrate
from tests.conftest import fresh_schema
from tests.integration.test_eventstore import new_events

ROW_BY_ROW = (
    "SELECT position, tx_id::text::bigint, stream_id, version, event_id, type, occurred_at, "
    "date_part('epoch', recorded_at), data, metadata FROM {schema}.events "
    "ORDER BY tx_id, position"
)
IN_UTC = "to_char({} AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')"
JSON_ARRAY = (  # the read_all of commit 226442c, kept as a second reference
    "SELECT json_agg(json_build_array(position, tx_id::text::bigint, stream_id, version, "
    f"event_id, type, {IN_UTC.format('occurred_at')}, date_part('epoch', recorded_at), data, "
    "metadata) ORDER BY tx_id, position)::text FROM {schema}.events"
)


class JsonRow(msgspec.Struct, array_like=True):
    position: int
    tx_id: int
    stream_id: str
    version: int
    event_id: UUID
    type: str
    occurred_at: datetime
    recorded_epoch: float
    data: msgspec.Raw
    metadata: msgspec.Raw


ODD_DATA = (
    '{"t": "\u00fcn\u00ef \\"q\\" \\\\ \\n \\u0001 \U0001f600", "f": 1.5e300, "n": null,'
    ' "a": [1, {"b": 2}], "d": 0.1, "big": 12345678901234567890}'
).encode()


@pytest_asyncio.fixture
async def store(database_url: str) -> AsyncIterator[EventStore]:
    pool: Pool = await create_pool(database_url, max_size=12)
    schema = fresh_schema()
    async with pool.acquire() as conn:
        await migrate(conn, schema, "eventstore")
    yield EventStore(pool, schema)
    await pool.close()


async def row_by_row(store: EventStore) -> list[RecordedEvent]:
    rows = await store.pool.fetch(ROW_BY_ROW.format(schema=store.schema))
    # json columns: asyncpg's codec gives their text as a str
    return [RecordedEvent(*r[:8], r[8].encode(), r[9].encode()) for r in rows]


async def json_array_read(store: EventStore) -> list[RecordedEvent]:
    text = await store.pool.fetchval(JSON_ARRAY.format(schema=store.schema))
    rows = msgspec.json.decode(text, type=list[JsonRow])
    fields = (msgspec.structs.astuple(r) for r in rows)
    return [RecordedEvent(*f[:8], bytes(f[8]), bytes(f[9])) for f in fields]


def assert_types(events: list[RecordedEvent]) -> None:
    """Equality alone would pass an int as a float or a time in another zone."""
    for e in events:
        assert [type(v) for v in (e.position, e.tx_id, e.version)] == [int, int, int]
        assert [type(v) for v in (e.stream_id, e.type)] == [str, str]
        assert [type(v) for v in (e.data, e.metadata)] == [bytes, bytes]
        assert isinstance(e.event_id, UUID)
        assert e.occurred_at.tzinfo is UTC and e.recorded_at.tzinfo is UTC
        assert type(e.recorded_epoch) is float
        assert not gc.is_tracked(e)  # no cyclic-GC work for the batches read


async def read_everything(store: EventStore, limit: int) -> list[RecordedEvent]:
    checkpoint, out = Checkpoint(), []
    while batch := await store.read_all(checkpoint, limit=limit):
        out += batch
        checkpoint = Checkpoint(batch[-1].tx_id, batch[-1].position)
    return out


def odd_event(n: int) -> NewEvent:
    """Unicode, escapes, huge and fractional numbers, a non-UTC offset, odd microseconds."""
    zone = timezone(timedelta(hours=n % 14 - 7, minutes=30 * (n % 2)))
    return NewEvent(
        event_id=uuid.uuid4(), type=f"io.tollgate.ideation.odd_{n}.v1",
        occurred_at=datetime(1900 + n * 7 % 300, 1 + n % 12, 1 + n % 28, n % 24, n % 60,
                             n % 60, n * 7919 % 1_000_000, tzinfo=zone),
        data=ODD_DATA, metadata=b'{"actor": "ana \\u00e9", "correlationid": null}',
    )  # fmt: skip


async def test_a_batched_read_equals_a_row_by_row_read_field_for_field(store: EventStore):
    for n in range(40):
        await store.append(
            f"odd-{n % 3}", [odd_event(n)], await store.stream_version(f"odd-{n % 3}")
        )
    await store.append("plain", new_events(500), 0)

    expected = await row_by_row(store)
    assert await json_array_read(store) == expected
    for limit in (1, 7, 500, 10_000):
        read = await read_everything(store, limit)
        assert read == expected
        assert_types(read)
    assert all(e.occurred_at.utcoffset() == timedelta(0) for e in expected)
    assert json.loads(expected[0].data)["t"] == json.loads(ODD_DATA)["t"]
    # the time stored, as a datetime, to the microsecond (the read carries it as a float)
    stored = await store.pool.fetch(
        f"SELECT recorded_at FROM {store.schema}.events ORDER BY tx_id, position"
    )
    assert [e.recorded_at for e in expected] == [r[0] for r in stored]
    moments = [datetime(2026, 11, 28, 23, 59, 59, us, tzinfo=UTC) for us in range(0, 10**6, 997)]
    got = await store.pool.fetch("SELECT date_part('epoch', t) FROM unnest($1::timestamptz[]) t",
                                 moments)  # fmt: skip
    epochs = [RecordedEvent(0, 0, "", 0, uuid.uuid4(), "", moments[0], r[0], b"", b"") for r in got]
    assert [e.recorded_at for e in epochs] == moments


async def test_under_concurrent_late_committing_writers_the_read_equals_the_final_order(
    store: EventStore,
):
    seen: list[RecordedEvent] = []
    done = asyncio.Event()

    async def writer(w: int) -> None:
        for i in range(12):
            async with store.pool.acquire() as conn, conn.transaction():
                await store.append(f"w{w}-{i}", [odd_event(w * 12 + i), *new_events(2)], 0,
                                   conn=conn)  # fmt: skip
                if random.random() < 0.3:
                    await asyncio.sleep(random.uniform(0.01, 0.05))  # commit late

    async def reader() -> None:
        checkpoint = Checkpoint()
        while True:
            finished = done.is_set()
            batch = await store.read_all(checkpoint, limit=5)
            seen.extend(batch)
            if batch:
                checkpoint = Checkpoint(batch[-1].tx_id, batch[-1].position)
            elif finished:
                return
            else:
                await asyncio.sleep(0.002)

    read = asyncio.create_task(reader())
    await asyncio.gather(*(writer(w) for w in range(8)))
    done.set()
    await read

    assert len(seen) == 8 * 12 * 3
    assert seen == await row_by_row(store) == await json_array_read(store)
    assert_types(seen)
    assert all(e.recorded_at.tzinfo is not None for e in seen)
    assert seen[-1].recorded_at <= datetime.now(UTC)


def written(data: bytes, metadata: bytes = b'{"actor":"t"}') -> NewEvent:
    kind = "io.tollgate.ideation.test_happened.v1"
    return NewEvent(event_id=uuid.uuid4(), type=kind, occurred_at=datetime.now(UTC), data=data,
                    metadata=metadata)  # fmt: skip


async def test_a_payload_is_read_back_and_published_exactly_as_its_writer_encoded_it(
    store: EventStore,
):
    # key order, spacing, escapes and number spellings are the writer's (jsonb rewrote them)
    data = b'{"z":1,"a":[1.0, 2e3],"u":"\\u00fc\xc3\xbc","n":null}'
    await store.append("exact", [written(data), written(b"[]", b'{"actor":"a","z":0}')], 0)
    first, second = await store.read_all(Checkpoint(), limit=10)
    assert (first.data, second.data) == (data, b"[]")
    assert (first.metadata, second.metadata) == (b'{"actor":"t"}', b'{"actor":"a","z":0}')
    assert (await store.read_stream("exact"))[0].data == data


async def test_the_store_refuses_a_payload_that_is_not_json_and_writes_nothing(
    store: EventStore,
):
    for bad in (b'{"a": ', b"{'a': 1}", b"\xff\xfe"):
        with pytest.raises(asyncpg.DataError):
            await store.append("bad", [written(b"{}"), written(bad)], 0)
    assert await store.stream_version("bad") == 0


async def test_events_stored_as_jsonb_before_the_migration_read_the_same_after_it(
    store: EventStore,
):
    """An installation from before 003_json_payloads.sql: its rows are rewritten as json."""
    events = [odd_event(n) for n in range(5)]
    async with store.pool.acquire() as conn:  # back to the schema before the migration
        await conn.execute(
            f"ALTER TABLE {store.schema}.events ALTER COLUMN data TYPE jsonb, "
            "ALTER COLUMN metadata TYPE jsonb; "
            f"DELETE FROM {store.schema}.migrations WHERE name = '003_json_payloads.sql'"
        )
        for n, e in enumerate(events):
            await conn.execute(
                f"INSERT INTO {store.schema}.events (stream_id, version, event_id, type, "
                "occurred_at, data, metadata) VALUES ('old', $1, $2, $3, $4, $5, $6)",
                n + 1, e.event_id, e.type, e.occurred_at, e.data, e.metadata,
            )  # fmt: skip
        before = await read_everything(store, 3)
        assert await migrate(conn, store.schema, "eventstore") == ["003_json_payloads.sql"]
    after = await read_everything(store, 3)
    assert after == before and len(after) == 5
    exact = functools.partial(json.loads, parse_int=Decimal, parse_float=Decimal)
    assert [exact(e.data) for e in after] == [exact(e.data) for e in events]  # jsonb: 1.5e300
