"""Time travel on a long history: snapshots plus the events after them give what folding
the whole timeline gives, at any moment, also with backdated events; a rebuild writes the
same snapshots as the live projection."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import msgspec
import nats
from msgspec.structs import replace

from events import pilot
from infra.bus import ensure_stream
from infra.db import Pool, connect, create_pool
from infra.migrations import migrate
from infra.settings import Settings
from services.projection import portfolio as figures
from services.projection import queries
from services.projection.rebuild import rebuild
from services.projection.store import apply_live
from services.projection.time_travel import fold
from tests.conftest import fresh_schema
from tests.integration.bus import eventually
from tests.integration.test_projection import bus, caught_up
from tests.integration.test_projection_support import envelopes, initiative, publish
from tests.stack import Stack

__all__ = ["bus"]
IID = "init-00007"


def long_history() -> list[Any]:
    """A launched initiative whose pilot recorded 320 measurements, every 25th backdated
    by two weeks (recorded late): business time does not grow with the stream."""
    events = initiative(7, "launched", measurements=320)
    for i, e in enumerate(events):
        if isinstance(e, pilot.KpiMeasured) and i % 25 == 0:
            events[i] = replace(e, at=e.at - timedelta(days=14))
    return events


async def whole_fold(pool: Pool, as_of: Any) -> Any:
    bodies = await pool.fetch(
        "SELECT body FROM projection.timeline WHERE initiative_id = $1 AND time <= $2 ORDER BY seq",
        IID,
        as_of,
    )
    row = fold({}, (r["body"] for r in bodies)).get(IID)
    return figures.detail(row, as_of, as_of) if row else None


async def snapshots(pool: Pool) -> list[tuple[str, int, Any, bytes]]:
    rows = await pool.fetch("SELECT * FROM projection.snapshots ORDER BY initiative_id, seq")
    return [(r["initiative_id"], r["seq"], r["updated_at"], bytes(r["doc"])) for r in rows]


async def test_as_of_from_snapshots_equals_folding_the_whole_timeline(bus: Settings):
    nc = await nats.connect(bus.nats_url)
    js = nc.jetstream()
    await ensure_stream(js, bus.subjects)
    stack = Stack(bus)
    await stack.start("projection")
    pool = await create_pool(bus.database_url)
    events = envelopes(long_history())
    last = await publish(js, bus, events)
    await eventually(lambda: caught_up(pool, last), what="applied")
    live = await snapshots(pool)
    due = [seq for seq, ce in enumerate(events, 1) if ce.streamversion % 100 == 0]
    assert [seq for _, seq, _, _ in live] == due and len(due) == 3  # pilot v100, v200, v300

    times = sorted({ce.time for ce in events})
    moments = [times[0] - timedelta(days=1), *times[:: len(times) // 40], times[-1]]
    moments += [at + d for _, _, at, _ in live for d in (-timedelta(seconds=1), timedelta(0))]
    for moment in moments:
        got = await queries.get_initiative(pool, IID, as_of=moment)
        assert got == await whole_fold(pool, moment), moment
    page = await queries.list_initiatives(pool, as_of=times[-1])
    assert [s.status for s in page.items] == ["launched"]

    await stack.stop_all()
    await rebuild(bus)
    rebuilt = await snapshots(pool)
    # the same documents; a map's keys may come in another order from the rebuild's fold
    assert [(*r[:3], msgspec.json.decode(r[3])) for r in rebuilt] == [
        (*r[:3], msgspec.json.decode(r[3])) for r in live
    ]
    assert msgspec.json.decode(live[-1][3])["initiative_id"] == IID
    await pool.close()
    await nc.close()


async def test_an_event_applied_after_a_later_snapshot_removes_that_snapshot(settings: Settings):
    """A consumer that redelivered out of order: the snapshot lacks the late event."""
    schema = fresh_schema()
    conn = await connect(settings.database_url)
    await migrate(conn, schema, "projection")
    events = envelopes(long_history())[:130]
    due = next(seq for seq, ce in enumerate(events, 1) if ce.streamversion % 100 == 0)
    late = due - 30
    for seq in [s for s in range(1, len(events) + 1) if s != late] + [late]:
        if seq == late:
            taken = await conn.fetch(f"SELECT seq FROM {schema}.snapshots")
            assert [r["seq"] for r in taken] == [due]
        async with conn.transaction():
            await apply_live(conn, events[seq - 1], seq, schema)
    assert await conn.fetchval(f"SELECT count(*) FROM {schema}.snapshots") == 0
    assert await conn.fetchval(f"SELECT count(*) FROM {schema}.timeline") == len(events)
    await conn.execute(f"DROP SCHEMA {schema} CASCADE")
    await conn.close()
