"""A rebuild that keeps only a few rows in memory (evicting, writing and reading them again),
reads the stream in small chunks (here, then in a child process), checkpoints often and is
interrupted equals the live projection applying the same events one by one.

The live side here is `apply_live`, the projection consumer's own step, called per event
in stream order on a schema of its own; repeats published again later (past JetStream's
dedup window) are in the stream, some of them after their first copy was checkpointed.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import msgspec
import nats
import pytest
import pytest_asyncio

from infra.bus import ensure_stream
from infra.consumer import replay
from infra.db import Connection, connect
from infra.migrations import migrate
from infra.settings import Settings
from services.projection import rebuild_store
from services.projection.rebuild import Replayer
from services.projection.seen import Seen
from services.projection.store import CLOUDEVENT, apply_live
from tests.conftest import fresh_schema
from tests.integration.test_projection_support import own_projection, portfolio, publish, subject


@pytest_asyncio.fixture
async def bus(settings: Settings) -> AsyncIterator[Settings]:
    async with own_projection(settings, "projection_next") as own:
        yield own


async def tables(conn: Connection, schema: str) -> dict[str, list[Any]]:
    """Every read model of a schema, in a stable order; documents compared decoded."""
    rows = await conn.fetch(f"SELECT * FROM {schema}.initiatives ORDER BY initiative_id")
    timeline = f"SELECT seq, event_id, initiative_id, type FROM {schema}.timeline ORDER BY seq"
    inbox = f"SELECT * FROM {schema}.inbox ORDER BY initiative_id, key"
    snaps = await conn.fetch(f"SELECT * FROM {schema}.snapshots ORDER BY initiative_id, seq")
    decoded = ({"doc": msgspec.json.decode(r["doc"]),
                "summary": msgspec.json.decode(r["summary"])} for r in rows)  # fmt: skip
    return {
        "rows": [{**dict(r), **d} for r, d in zip(rows, decoded, strict=True)],
        "timeline": [tuple(r) for r in await conn.fetch(timeline)],
        "inbox": [tuple(r) for r in await conn.fetch(inbox)],
        "snapshots": [(*tuple(r)[:3], msgspec.json.decode(r["doc"])) for r in snaps],
    }


async def publish_with_late_repeats(js: Any, bus: Settings) -> int:
    """Twelve initiatives' lifecycles, then copies of three early events and of two late
    ones, seven sequences after their originals: with chunks of seven, always in the chunk
    after the original's, which is folded before that one is written. The last sequence."""
    events = list(portfolio(12, measurements=100))  # snapshots at pilot v100
    await publish(js, bus, events)
    for n, ce in enumerate((events[0], events[5], events[40], events[-4], events[-3])):
        again = {"Nats-Msg-Id": f"{ce.id}-again-{n}"}
        ack = await js.publish(subject(bus, ce), msgspec.json.encode(ce), headers=again)
    return int(ack.seq)


async def live_one_by_one(js: Any, bus: Settings, conn: Connection, last: int) -> str:
    schema = fresh_schema()
    await migrate(conn, schema, "projection")
    async for chunk in replay(js, bus.stream, bus.subjects.events, start=1, end=last):
        for sequence, data in chunk:
            async with conn.transaction():
                await apply_live(conn, CLOUDEVENT.decode(data), sequence, schema)
    return schema


async def published_and_applied_live(bus: Settings) -> tuple[Any, Any, Connection, int, str]:
    """The stream with late repeats, and a schema of the live side's applying it: the NATS
    connection, its JetStream, a database connection, the last sequence, the schema."""
    nc = await nats.connect(bus.nats_url)
    js = nc.jetstream()
    await ensure_stream(js, bus.subjects)
    last = await publish_with_late_repeats(js, bus)
    conn = await connect(bus.database_url)
    return nc, js, conn, last, await live_one_by_one(js, bus, conn, last)


async def test_a_bounded_chunked_interrupted_rebuild_equals_the_event_by_event_fold(
    bus: Settings, monkeypatch: pytest.MonkeyPatch
):
    nc, js, conn, last, live = await published_and_applied_live(bus)

    # three rows in memory, chunks of seven events, a checkpoint every 40: rows are evicted
    # and read back within a checkpoint and across them; then the run dies mid-way
    fold, start = await rebuild_store.prepare(conn, keep=3)
    checkpoints: list[int] = []
    counted = rebuild_store.checkpoint

    async def counting(conn: Connection, fold: Any, position: int) -> None:
        checkpoints.append(position)
        await counted(conn, fold, position)

    monkeypatch.setattr(rebuild_store, "checkpoint", counting)
    first = Replayer(js, conn, fold, bus, every=40, chunk=7, seconds=0)
    await first.run(start + 1, last // 2)
    assert len(fold.rows) <= 3 + 7
    assert len(checkpoints) > 2, "a checkpoint every 40 events and one at the end"
    assert checkpoints[-1] == last // 2
    assert all(last // 2 - p >= 40 for p in checkpoints[:-1]), "none just before the end"
    checkpoints.clear()
    await conn.close()

    conn = await connect(bus.database_url)
    fold, start = await rebuild_store.prepare(conn, keep=3)
    assert 0 < start <= last // 2
    # the resumed run reads the stream in a child process (as a long rebuild does), and
    # checkpoints at most once an hour: only at its end
    await Replayer(js, conn, fold, bus, every=40, chunk=7, apart=0, seconds=3600).run(
        start + 1, last
    )
    assert checkpoints == [last]
    got, want = await tables(conn, rebuild_store.NEXT), await tables(conn, live)
    assert len(want["timeline"]) == last - 5, "the five repeats are not events again"
    assert len(want["snapshots"]) == 3 and len(want["inbox"]) > 0
    assert got == want
    processed = await conn.fetchval(f"SELECT count(*) FROM {rebuild_store.NEXT}.processed")
    assert processed == last - 5
    await conn.execute(f"DROP SCHEMA {live} CASCADE")
    await conn.close()
    await nc.close()


@pytest.mark.parametrize("expected", [1, 10_000], ids=["filter-full", "filter-sized"])
async def test_a_fresh_rebuild_asking_only_about_ids_its_filter_cannot_rule_out_equals_live(
    bus: Settings, expected: int
):
    """A run from an empty timeline asks it only about the ids its filter of the ids applied
    (`Seen`) cannot rule out: every id when the filter is full, few when it is sized for
    them; the repeats are skipped either way."""
    nc, js, conn, last, live = await published_and_applied_live(bus)

    fold, start = await rebuild_store.prepare(conn, keep=3)
    assert start == 0 and await rebuild_store.fresh(conn)
    seen = Seen(expected)
    await Replayer(js, conn, fold, bus, every=40, chunk=7, seconds=0, seen=seen).run(1, last)
    assert not await rebuild_store.fresh(conn)
    assert await tables(conn, rebuild_store.NEXT) == await tables(conn, live)
    assert len(seen.add(await ids(conn, live))) == last - 5, "every id applied is in it"
    await conn.execute(f"DROP SCHEMA {live} CASCADE")
    await conn.close()
    await nc.close()


async def ids(conn: Connection, schema: str) -> list[str]:
    return [r["event_id"] for r in await conn.fetch(f"SELECT event_id FROM {schema}.timeline")]
