"""Command cost against history length: one stream of 10 events and one of 10,000, each
command sent to the real ideation service over NATS. The baseline is the same command on
the short stream, measured in the same run. Also: the first command after a restart, which
starts from the stored snapshot instead of refolding the stream."""

from __future__ import annotations

import statistics
import time
import uuid
from datetime import UTC, date, datetime

import msgspec
import nats

from events import ideation
from events.base import event_tag
from infra.db import create_pool
from infra.driver import Driver
from infra.eventstore import EventStore, NewEvent
from infra.migrations import migrate_all
from infra.settings import Settings
from services.journeys import CONTRIBUTOR, OWNER
from tests.integration.bus import own_bus
from tests.perf.results import record
from tests.stack import Stack

LONG = 10_000
SAMPLES = 200
NOW = datetime.now(UTC)


def workshop(iid: str, n: int) -> ideation.HoldWorkshop:
    return ideation.HoldWorkshop(
        initiative_id=iid, at=NOW, actor=CONTRIBUTOR, workshop_id=f"w{n}",
        held_on=date.today(), participants=("a",), outcome="ok",
    )  # fmt: skip


def held(iid: str, n: int) -> NewEvent:
    event = ideation.WorkshopHeld(
        initiative_id=iid, at=NOW, workshop_id=f"h{n}", held_on=date.today(),
        participants=("a",), outcome="ok",
    )  # fmt: skip
    return NewEvent(
        event_id=uuid.uuid4(), type=event_tag(event), occurred_at=NOW,
        data=msgspec.json.encode(event), metadata=b'{"actor": "bench"}',
    )  # fmt: skip


async def timed(driver: Driver, iid: str, start: int, count: int) -> list[float]:
    out = []
    for n in range(start, start + count):
        sent = time.perf_counter()
        await driver.step("ideation", workshop(iid, n))
        out.append((time.perf_counter() - sent) * 1000)
    return out


async def test_command_cost_on_a_long_history(settings: Settings):
    bus = own_bus(settings)
    await migrate_all(bus.database_url)
    stack = Stack(bus)
    await stack.start("ideation")
    nc = await nats.connect(bus.nats_url)
    driver = Driver(nc, bus.subjects)
    pool = await create_pool(bus.database_url)
    store = EventStore(pool, "ideation")
    short, long_ = str(uuid.uuid4()), str(uuid.uuid4())
    for iid in (short, long_):
        await driver.step("ideation", ideation.ProposeIdea(
            initiative_id=iid, at=NOW, actor=OWNER, title="Long", problem_statement="p",
            business_goal="g", sponsor="s", owner="o",
        ))  # fmt: skip
    await timed(driver, short, 0, 9)
    for start in range(1, LONG, 1000):  # the long history, written directly
        await store.append(long_, [held(long_, n) for n in range(start, start + 1000)], start)

    first = (await timed(driver, long_, 0, 1))[0]  # folds 10,000 events, takes a snapshot
    short_ms = await timed(driver, short, 100, SAMPLES)
    long_ms = await timed(driver, long_, 100, SAMPLES)
    await stack.stop("ideation")
    await stack.start("ideation")
    after_restart = (await timed(driver, long_, 1000, 1))[0]  # from the snapshot

    s, lg = statistics.median(short_ms), statistics.median(long_ms)
    print(f"\ncommand on {LONG:,} events: median {lg:.2f} ms; on 10 events: {s:.2f} ms; "
          f"ratio {lg / s:.2f}")  # fmt: skip
    print(f"first command on {LONG:,} events (full fold + snapshot): {first:.1f} ms; "
          f"first after a restart (from the snapshot): {after_restart:.1f} ms")  # fmt: skip
    record("long_history_cost_ratio", lg, s, "the same command on a 10-event stream", "ms")
    await stack.stop_all()
    await pool.close()
    await nc.jetstream().delete_stream(bus.stream)
    await nc.close()
