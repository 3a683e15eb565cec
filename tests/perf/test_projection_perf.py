"""Projection benchmark (make bench): rebuild throughput against a raw read of the same
events, and publish -> read-model latency at a steady rate. Prints figures, asserts none.
"""

from __future__ import annotations

import asyncio
import statistics
import time
from itertools import islice

import msgspec
import nats
import pytest
from nats.aio.client import Client

from infra.bus import Batches, Message, ensure_stream
from infra.consumer import replay
from infra.db import connect, create_pool
from infra.settings import Settings
from services.projection import queries
from services.projection.rebuild import rebuild
from tests.integration.bus import own_bus
from tests.integration.test_projection_support import portfolio, subject
from tests.perf.results import record
from tests.stack import Stack

pytestmark = pytest.mark.perf
EVENTS = 200_000
LATENCY_SECONDS = 10  # of commands at 100/s (the harness sets fewer for its smoke run)


async def fill(nc: Client, bus: Settings, n: int, measurements: int = 20) -> int:
    """Publish `n` events of 20,000 interleaved lifecycles; returns the last sequence."""
    events = list(islice(portfolio(20_000, measurements=measurements), n))
    batches, last = Batches(nc), 0
    for i in range(0, len(events), 2000):
        chunk = events[i : i + 2000]
        messages = (Message(subject(bus, ce), msgspec.json.encode(ce), {"Nats-Msg-Id": ce.id})
                    for ce in chunk)  # fmt: skip
        acks = await batches.publish(messages, len(chunk))
        assert len(acks) == len(chunk), f"{len(acks)} of {len(chunk)} acknowledged"
        last = acks[-1]
    return last


async def test_rebuild_throughput_against_a_raw_read(settings: Settings):
    bus = own_bus(settings)
    conn = await connect(bus.database_url)
    await conn.execute("DROP SCHEMA IF EXISTS projection, projection_next CASCADE")
    await conn.close()
    nc = await nats.connect(bus.nats_url)
    js = nc.jetstream()
    await ensure_stream(js, bus.subjects)
    last = await fill(nc, bus, EVENTS)
    began, raw = time.perf_counter(), 0
    async for chunk in replay(js, bus.stream, bus.subjects.events, start=1, end=last):
        raw += len(chunk)
    raw_s = time.perf_counter() - began
    result = await rebuild(bus)
    print(f"\nraw read-all: {raw:,} events in {raw_s:.2f}s = {raw / raw_s:,.0f} events/s")
    print(f"rebuild:      {result.events:,} events in {result.seconds:.2f}s = "
          f"{result.rate:,.0f} events/s ({result.initiatives:,} initiatives)")  # fmt: skip
    print(f"rebuild / raw read ratio: {result.rate / (raw / raw_s):.2f}")
    await js.delete_stream(bus.stream)
    await nc.close()


async def test_publish_to_read_model_latency_at_a_steady_rate(settings: Settings):
    bus = own_bus(settings)
    conn = await connect(bus.database_url)
    await conn.execute("DROP SCHEMA IF EXISTS projection, projection_next CASCADE")
    await conn.close()
    nc = await nats.connect(bus.nats_url)
    js = nc.jetstream()
    await ensure_stream(js, bus.subjects)
    stack = Stack(bus)
    await stack.start("projection")
    pool = await create_pool(bus.database_url)
    rate, seconds = 100, 10
    latencies: list[float] = []
    for ce in islice(portfolio(500), rate * seconds):
        sent = time.perf_counter()
        ack = await js.publish(
            subject(bus, ce), msgspec.json.encode(ce), headers={"Nats-Msg-Id": ce.id}
        )
        await queries.wait_for_position(pool, ack.seq, timeout=10)
        latencies.append(time.perf_counter() - sent)
        await asyncio.sleep(max(1 / rate - (time.perf_counter() - sent), 0))
    q = statistics.quantiles(latencies, n=100)
    raw = statistics.quantiles(await _raw_round_trips(nc, rate, seconds), n=100)
    print(f"\nraw NATS request/reply at {rate}/s: p50 {raw[49]:.2f} ms")
    p50, p99 = q[49] * 1000, q[98] * 1000
    print(f"publish -> read model at {rate}/s: p50 {p50:.1f} ms, p99 {p99:.1f} ms "
          f"({p50 / raw[49]:.1f}x the raw round trip)")  # fmt: skip
    await stack.stop_all()
    await pool.close()
    await js.delete_stream(bus.stream)
    await nc.close()


async def test_command_to_read_model_latency_at_a_steady_rate(settings: Settings):
    """From sending a command to the stage service until its event shows in the read model."""
    import uuid
    from datetime import UTC, date, datetime

    from events import ideation
    from infra.driver import Driver
    from services.journeys import CONTRIBUTOR, OWNER

    bus = own_bus(settings)
    conn = await connect(bus.database_url)
    await conn.execute("DROP SCHEMA IF EXISTS projection, projection_next CASCADE")
    await conn.close()
    stack = Stack(bus)
    await stack.start("ideation", "projection")
    try:
        nc = await nats.connect(bus.nats_url)
        pool = await create_pool(bus.database_url)
        driver = Driver(nc, bus.subjects)
        ids = [str(uuid.uuid4()) for _ in range(20)]
        now = datetime.now(UTC)
        for i in ids:
            await driver.step("ideation", ideation.ProposeIdea(
                initiative_id=i, at=now, actor=OWNER, title="Latency", problem_statement="p",
                business_goal="g", sponsor="s", owner="o",
            ))  # fmt: skip
        rate, seconds = 100, LATENCY_SECONDS
        command_ms: list[float] = []
        visible_ms: list[float] = []
        for n in range(rate * seconds):
            sent = time.perf_counter()
            reply = await driver.step("ideation", ideation.HoldWorkshop(
                initiative_id=ids[n % len(ids)], at=now, actor=CONTRIBUTOR, workshop_id=f"w{n}",
                held_on=date.today(), participants=("a",), outcome="ok",
            ))  # fmt: skip
            command_ms.append((time.perf_counter() - sent) * 1000)
            assert await queries.wait_for_position(pool, reply.position or 0, timeout=10)
            visible_ms.append((time.perf_counter() - sent) * 1000)
            await asyncio.sleep(max(1 / rate - (time.perf_counter() - sent), 0))
        c = statistics.quantiles(command_ms, n=100)
        v = statistics.quantiles(visible_ms, n=100)
        raw = statistics.quantiles(await _raw_round_trips(nc, rate, seconds), n=100)
        print(f"\nraw NATS request/reply at {rate}/s: p50 {raw[49]:.2f} ms, p99 {raw[98]:.2f} ms")
        print(f"command accepted at {rate}/s: p50 {c[49]:.1f} ms, p99 {c[98]:.1f} ms "
              f"({c[49] / raw[49]:.1f}x the raw round trip)")  # fmt: skip
        print(f"command -> read model at {rate}/s: p50 {v[49]:.1f} ms, p99 {v[98]:.1f} ms "
              f"({v[49] / raw[49]:.1f}x the raw round trip)")  # fmt: skip
        record("command_to_view_p99_ms", v[98], raw[98], "raw NATS request/reply p99", "ms")
        record("command_to_view_p50_ms", v[49], raw[49], "raw NATS request/reply p50", "ms")
    finally:  # a failed run leaves no services behind
        await stack.stop_all()
    await pool.close()
    await nc.jetstream().delete_stream(bus.stream)
    await nc.close()


async def _raw_round_trips(nc: nats.NATS, rate: int, seconds: int) -> list[float]:
    """The baseline: an echo responder on plain NATS, at the same rate, in milliseconds."""

    async def echo(msg: nats.aio.msg.Msg) -> None:
        await msg.respond(msg.data)

    sub = await nc.subscribe("tollgate-bench.echo", cb=echo)
    out = []
    for _ in range(rate * seconds):
        sent = time.perf_counter()
        await nc.request("tollgate-bench.echo", b"{}", timeout=5)
        out.append((time.perf_counter() - sent) * 1000)
        await asyncio.sleep(max(1 / rate - (time.perf_counter() - sent), 0))
    await sub.unsubscribe()
    return out
