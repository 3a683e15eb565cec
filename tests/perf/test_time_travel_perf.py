"""Time travel benchmark (make bench): `as_of` on an initiative with 10 and with 10,000
events, against reading its current row (the raw baseline) and against folding its whole
timeline (what `as_of` did before snapshots), in the same run. Prints figures, asserts none.

The read models are written as a rebuild writes them (the same Fold and snapshots as the
live projection, tests/integration/test_time_travel.py); measurements are hourly, as a
launched KPI fed by monitoring would get them.
"""

from __future__ import annotations

import random
import statistics
import time
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Any

import pytest

from events import production
from events.envelope import CloudEvent
from infra.db import Connection, Pool, connect, create_pool
from infra.migrations import migrate
from infra.settings import Settings
from services.projection import queries
from services.projection.store import (
    ROW_COLUMNS,
    SCHEMA,
    TIMELINE_COLUMNS,
    row_record,
    snapshot_record,
    timeline_record,
)
from services.projection.time_travel import fold
from services.projection.views.fold import Fold
from tests.integration.test_projection_support import at, envelopes, initiative
from tests.perf.results import record

pytestmark = pytest.mark.perf
SAMPLES = 50


def history(i: int, n: int) -> list[CloudEvent]:
    """Initiative i: launched, then hourly production measurements up to n events; n=10 is
    one killed at G2."""
    if n == 10:
        return envelopes(initiative(i, "kill_g2"))
    events = initiative(i, "launched", measurements=20)
    iid = events[0].initiative_id
    events += [
        production.KpiMeasured(
            initiative_id=iid,
            at=at(i, 71 + m / 24),
            kpi_id="k1",
            measurement_id=f"p{m + 2}",
            value=75 + m % 10,
        )
        for m in range(n - len(events))
    ]
    return envelopes(events)


async def load(conn: Connection, streams: list[list[CloudEvent]]) -> None:
    fold = Fold()
    seq = 0
    for events in streams:
        for ce in events:
            seq += 1
            fold.feed(ce, seq)
    copy = conn.copy_records_to_table
    await copy(
        "timeline",
        records=[timeline_record(ce, s) for s, ce in fold.applied],
        columns=TIMELINE_COLUMNS,
        schema_name=SCHEMA,
    )
    await copy(
        "initiatives",
        records=[row_record(r) for r in fold.rows.values()],
        columns=ROW_COLUMNS,
        schema_name=SCHEMA,
    )
    await copy(
        "snapshots", records=[snapshot_record(*s) for s in fold.snapshots], schema_name=SCHEMA
    )
    await conn.execute("ANALYZE")


async def timed(call: Callable[[], Awaitable[Any]], times: int = SAMPLES) -> list[float]:
    out = []
    for _ in range(times):
        began = time.perf_counter()
        await call()
        out.append((time.perf_counter() - began) * 1000)
    return out


async def whole_fold(pool: Pool, iid: str, moment: datetime) -> Any:
    """What `as_of` did before snapshots: fold every event up to the moment."""
    bodies = await pool.fetch(
        f"SELECT body FROM {SCHEMA}.timeline WHERE initiative_id = $1 AND time <= $2 ORDER BY seq",
        iid,
        moment,
    )
    return fold({}, (r["body"] for r in bodies))


def p(values: list[float], q: int) -> float:
    return statistics.quantiles(values, n=100)[q - 1] if len(values) > 1 else values[0]


async def measure(pool: Pool, iid: str, events: list[CloudEvent]) -> dict[str, float]:
    times = [ce.time for ce in events]
    rng = random.Random(7)
    moments = iter([rng.choice(times) + timedelta(minutes=1) for _ in range(SAMPLES)])
    worst = await pool.fetchval(  # just before a snapshot: the most events to fold onto one
        f"SELECT max(updated_at) FROM {SCHEMA}.snapshots WHERE initiative_id = $1", iid
    )
    worst = (worst or times[-1]) - timedelta(milliseconds=1)
    current = await timed(lambda: queries.get_initiative(pool, iid))
    as_of = await timed(lambda: queries.get_initiative(pool, iid, as_of=next(moments)))
    near_snapshot = await timed(lambda: queries.get_initiative(pool, iid, as_of=worst))
    whole = await timed(lambda: whole_fold(pool, iid, times[-1]), times=3)
    return {
        "events": len(events),
        "current": p(current, 50),
        "as_of": p(as_of, 50),
        "as_of_p99": p(as_of, 99),
        "as_of_max": max(as_of),
        "near_snapshot": p(near_snapshot, 50),
        "whole_fold": statistics.median(whole),
    }


async def test_as_of_on_a_long_history_against_the_current_row_and_a_whole_fold(
    settings: Settings,
) -> None:
    conn = await connect(settings.database_url)
    await conn.execute("DROP SCHEMA IF EXISTS projection, projection_next CASCADE")
    await migrate(conn, SCHEMA, "projection")
    short, long = history(1, 10), history(2, 10_000)
    await load(conn, [short, long])
    sizes: Any = await conn.fetchrow(
        f"SELECT pg_total_relation_size('{SCHEMA}.snapshots') AS snapshots, "
        f"pg_total_relation_size('{SCHEMA}.timeline') AS timeline"
    )
    await conn.close()
    pool = await create_pool(settings.database_url)
    await queries.get_initiative(pool, short[0].subject, as_of=short[-1].time)  # warm up
    few, many = [await measure(pool, e[0].subject, e) for e in (short, long)]
    for got in (few, many):
        print(
            f"\n{got['events']:,} events: current row p50 {got['current']:.1f} ms | "
            f"as_of p50 {got['as_of']:.1f} ms, p99 {got['as_of_p99']:.1f} ms, "
            f"max {got['as_of_max']:.1f} ms, just before a snapshot {got['near_snapshot']:.1f} ms"
            f" | whole fold {got['whole_fold']:.0f} ms"
        )
    snapshots_mb, timeline_mb = sizes["snapshots"] / 2**20, sizes["timeline"] / 2**20
    print(
        f"as_of / current row at 10,000 events: {many['as_of'] / many['current']:.2f}x; "
        f"as_of at 10,000 / at 10 events: {many['as_of'] / few['as_of']:.2f}x; "
        f"whole fold / as_of: {many['whole_fold'] / many['as_of']:.0f}x; "
        f"snapshots {snapshots_mb:.1f} MB beside a {timeline_mb:.1f} MB timeline"
    )
    current = "reading the current row (no as_of), same initiative"
    record("as_of_10000_events_p50", many["as_of"], many["current"], current, "ms")
    record("as_of_10000_events_p99", many["as_of_p99"], many["current"], current, "ms")
    record("as_of_10000_events_worst", many["near_snapshot"], many["current"], current, "ms")
    record("as_of_10000_vs_10_events", many["as_of"], few["as_of"], "as_of at 10 events", "ms")
    before = "folding the whole timeline (as_of before snapshots)"
    record("as_of_10000_events_vs_whole_fold", many["as_of"], many["whole_fold"], before, "ms")
    record("as_of_snapshot_storage", snapshots_mb, timeline_mb, "the timeline's size", "MB")
    await pool.close()
