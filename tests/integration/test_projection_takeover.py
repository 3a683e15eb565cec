"""The projection's writer SIGKILLed in the middle of a backlog, so that it dies holding an
event: the standby takes the lease, gets that event after the consumer's ack wait, and
applies again within 5 s; afterwards every event is applied once (timeline and tracking)
and a rebuild equals the live read models. (test_takeover.py kills it under HTTP load,
where it is mostly idle.)"""

from __future__ import annotations

import asyncio

import nats
import pytest

from infra.bus import ensure_stream
from infra.db import create_pool
from infra.lease import holder
from infra.settings import Settings
from services.projection import queries
from services.projection.rebuild import rebuild
from tests.integration.bus import eventually
from tests.integration.handover import above, holder_name, holds, kill_process, waited
from tests.integration.test_projection import bus, caught_up, drained, snapshot
from tests.integration.test_projection_support import portfolio, publish
from tests.stack import Stack

pytestmark = pytest.mark.asyncio(loop_scope="session")
__all__ = ["bus"]  # the projection tests' fixture: a stream of its own, fresh read models
HANDOVER = 5.0  # the bound on a takeover


async def test_a_projection_writer_killed_in_a_backlog_hands_its_event_over_within_5s(
    bus: Settings,
):
    nc = await nats.connect(bus.nats_url)
    js = nc.jetstream()
    await ensure_stream(js, bus.subjects)
    stack = Stack(bus)
    await stack.start("projection", "projection#2")
    pool = await create_pool(bus.database_url)
    try:
        events = list(portfolio(60))  # published faster than applied: a backlog builds up
        publishing = asyncio.create_task(publish(js, bus, events))
        await eventually(lambda: caught_up(pool, len(events) // 3), what="a third applied")
        victim = holder_name(stack, await holder(pool, "projection:projection"))
        assert victim is not None, "no projection holds the lease"
        survivor = stack.procs["projection#2" if victim == "projection" else "projection"].pid
        killed = await kill_process(stack, victim)
        lease = await waited(lambda: holds(pool, "projection:projection", survivor), killed)
        at_kill = await queries.applied_position(pool)  # all the dead writer committed
        applying = await waited(lambda: above(queries.applied_position, pool, at_kill), killed)
        last = await publishing  # the stream is the test's own: sequences 1 to len(events)
        await eventually(lambda: caught_up(pool, last), timeout=60, what="the last applied")
        await eventually(lambda: drained(js, bus), timeout=60, what="all acknowledged")
        live = await snapshot(pool)
        await rebuild(bus)
        rebuilt = await snapshot(pool)
    finally:
        await stack.stop_all()
        await pool.close()
        await nc.close()
    print(f"\nprojection killed at {at_kill} of {last} events: lease taken after {lease:.2f}s,")
    print(f"  applying again after {applying:.2f}s")
    assert len(live[1]) == len(events) == live[2], "an event missing or applied twice"
    assert rebuilt == live
    assert lease < HANDOVER and applying < HANDOVER, (lease, applying)
