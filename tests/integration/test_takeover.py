"""Takeover: two replicas of ideation (each with an outbox relay), of the projection and of
the webhook worker run under HTTP load, and each test SIGKILLs the active one.

- Relay: the ideation replica holding the relay's lease dies; the other takes the lease and
  publishes again within 5 s, and no event reaches the stream twice.
- Projection: the writer holding the lease dies; the standby takes it and applies again
  within 5 s, and no event is applied twice (the timeline holds each once; a rebuild
  equals the live read models). Once under the HTTP load, where the writer is mostly
  idle, and once in the middle of a backlog, where it dies holding an event (which comes
  back to the standby after the consumer's ack wait).
- Webhooks: both workers deliver (a subscription at a time, claimed with a transaction
  advisory lock that a waiting worker skips); one dies and the other goes on. Each event is
  delivered once, but a delivery whose POST the receiver had answered when its worker died:
  its record died with the worker, so it is sent again (at least once, by nature).

The killed process is restarted as a standby before the next test. Every test ends with
the audits of the cluster test over everything stored so far.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field

import nats
import pytest
import pytest_asyncio

from infra.db import Pool, create_pool
from infra.lease import holder
from infra.settings import Settings
from launch.cli import SERVICES
from launch.embedded import free_port
from services.projection import queries
from tests.integration.api_stack import make_users
from tests.integration.chaos_load import run_load
from tests.integration.handover import above, holder_name, holds, kill_process, waited
from tests.integration.run_audit import (
    Run,
    Sink,
    fresh_database,
    look,
    problems,
    report,
    subscribe_all,
    webhook_problems,
)
from tests.stack import Stack, start_stack

LOAD = 14.0  # seconds of load per test; the kill comes after a third of it
HANDOVER = 5.0  # the bound on a takeover
REPLICAS = ("ideation#2", "projection#2", "webhooks#2")

pytestmark = [pytest.mark.asyncio(loop_scope="session"), pytest.mark.timeout(400)]


@dataclass
class Replicated:
    settings: Settings
    stack: Stack
    pool: Pool
    sink: Sink
    tokens: dict[str, str]
    kills: list[tuple[float, str]] = field(default_factory=list)  # (when, which)

    def in_flight(self, at: float) -> bool:
        """Whether a webhook worker died within its POST timeout after `at`."""
        return any(n.startswith("webhooks") and 0 <= k - at <= 5.0 for k, n in self.kills)


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def replicated(pg_server_url: str, nats_url: str) -> AsyncIterator[Replicated]:
    tag = uuid.uuid4().hex[:8]
    async with fresh_database(pg_server_url) as url, Sink(free_port(), delay=0.02) as sink:
        settings = Settings(
            database_url=url,
            nats_url=nats_url,
            stream=f"TG_TAKEOVER_{tag}",
            subject_root=f"tgtake{tag}",
            demo=False,
        )
        stack = await start_stack(settings, [*SERVICES, *REPLICAS])
        pool = await create_pool(url, max_size=3)
        try:
            await subscribe_all(settings, sink)
            yield Replicated(settings, stack, pool, sink, await make_users(settings))
        finally:
            await pool.close()
            await stack.stop_all()
            await _delete_stream(settings)


async def _delete_stream(settings: Settings) -> None:
    nc = await nats.connect(settings.nats_url)
    try:
        await nc.jetstream().delete_stream(settings.stream)
    finally:
        await nc.close()


async def under_load(r: Replicated, kill: Callable[[Run], Awaitable[None]]) -> Run:
    """HTTP load of journeys for LOAD seconds; `kill` runs after a third of it; then the
    audits once everything settled."""
    run = Run()
    load = asyncio.create_task(run_load(r.stack.url, r.tokens, clients=3, journeys=6, seconds=LOAD))
    await asyncio.sleep(LOAD / 3)
    await kill(run)
    run.ledger = await load
    await look(r.settings, run)
    return run


async def kill(r: Replicated, run: Run, name: str) -> float:
    killed = await kill_process(r.stack, name)
    r.kills.append((killed, name))
    run.windows.append((killed, killed, f"sigkill {name}"))
    return killed


async def test_the_relay_of_a_killed_replica_is_taken_over_and_nothing_is_published_twice(
    replicated: Replicated,
):
    r, key, seen = replicated, "relay:ideation", {}

    async def fault(run: Run) -> None:
        victim = holder_name(r.stack, await holder(r.pool, key))
        assert victim in ("ideation", "ideation#2"), f"no ideation replica holds {key}"
        survivor = "ideation#2" if victim == "ideation" else "ideation"
        killed = await kill(r, run, victim)
        pid = r.stack.procs[survivor].pid
        seen["lease"] = await waited(lambda: holds(r.pool, key, pid), killed)
        at_kill = await _published(r.pool)  # all the dead relay published (its last batch)
        seen["publishing"] = await waited(lambda: above(_published, r.pool, at_kill), killed)
        await r.stack.start(victim)  # back, as a standby

    run = await under_load(r, fault)
    found = problems(run, positions=False) + webhook_problems(r.sink, run.stored, r.in_flight)
    report("takeover: the ideation relay", run, run.windows[0][0] - LOAD / 3)
    print(f"  lease taken after {seen['lease']:.2f}s, publishing again after", end=" ")
    print(f"{seen['publishing']:.2f}s")
    assert not found, "\n".join(found[:40])
    assert seen["lease"] < HANDOVER and seen["publishing"] < HANDOVER, seen


async def test_a_killed_projection_writer_is_taken_over_and_nothing_is_applied_twice(
    replicated: Replicated,
):
    r, key, seen = replicated, "projection:projection", {}

    async def fault(run: Run) -> None:
        victim = holder_name(r.stack, await holder(r.pool, key))
        assert victim in ("projection", "projection#2"), f"no projection holds {key}"
        survivor = "projection#2" if victim == "projection" else "projection"
        killed = await kill(r, run, victim)
        pid = r.stack.procs[survivor].pid
        seen["lease"] = await waited(lambda: holds(r.pool, key, pid), killed)
        at_kill = await queries.applied_position(r.pool)  # all the dead writer committed
        applied = queries.applied_position
        seen["applying"] = await waited(lambda: above(applied, r.pool, at_kill), killed)
        await r.stack.start(victim)

    run = await under_load(r, fault)
    found = problems(run) + webhook_problems(r.sink, run.stored, r.in_flight)
    report("takeover: the projection's writer", run, run.windows[0][0] - LOAD / 3)
    print(f"  lease taken after {seen['lease']:.2f}s, applying again after", end=" ")
    print(f"{seen['applying']:.2f}s")
    assert not found, "\n".join(found[:40])
    assert seen["lease"] < HANDOVER and seen["applying"] < HANDOVER, seen


async def test_a_killed_webhook_worker_leaves_its_deliveries_to_the_other_sent_once(
    replicated: Replicated,
):
    r, seen = replicated, {}

    async def fault(run: Run) -> None:
        received = len(r.sink.received)
        stored = await _stored_ids(r.pool)
        killed = await kill(r, run, "webhooks")
        seen["delivering"] = await waited(lambda: _more(r.sink, received), killed)
        seen["caught up"] = await waited(lambda: _delivered(r.sink, stored), killed, 60.0)
        await r.stack.start("webhooks")

    run = await under_load(r, fault)
    found = problems(run) + webhook_problems(r.sink, run.stored, r.in_flight)
    report("takeover: a webhook worker", run, run.windows[0][0] - LOAD / 3)
    twice = len(r.sink.received) - len({i for _, i in r.sink.received})
    print(
        f"  the other delivered after {seen['delivering']:.2f}s; every event stored before the"
        f" kill delivered {seen['caught up']:.2f}s after it; {twice} sent twice (in flight)"
    )
    assert not found, "\n".join(found[:40])
    assert seen["delivering"] < HANDOVER, seen


async def _published(pool: Pool) -> int:
    """How far ideation's relay has published (its checkpoint's stream sequence)."""
    sql = "SELECT stream_seq FROM ideation.checkpoints WHERE name = 'outbox-relay'"
    return int(await pool.fetchval(sql) or 0)


async def _stored_ids(pool: Pool) -> set[str]:
    rows = await pool.fetch("SELECT event_id::text FROM ideation.events")
    rows += await pool.fetch("SELECT event_id::text FROM poc.events")
    return {r[0] for r in rows}


async def _more(sink: Sink, count: int) -> bool:
    return len(sink.received) > count


async def _delivered(sink: Sink, ids: set[str]) -> bool:
    return ids <= {i for _, i in sink.received}
