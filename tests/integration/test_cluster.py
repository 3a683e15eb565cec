"""Tollgate on a 3-node JetStream cluster: the stream has 3 replicas, and every process gets
all three URLs. Under HTTP load (proposals, stage work, gate decisions, the PoC; every
command with an Idempotency-Key, retried with it after a 503 or a lost connection) the test
SIGKILLs the node leading the stream, waits for a new leader, restarts it and waits until
its replica is current; then it SIGKILLs a node that does not lead and restarts it too.

Afterwards every acknowledged command is stored once and published once, the webhook
receiver got each event once, and a projection rebuild equals the live read models. It
prints how long clients saw errors. The suite runs 24 s of load, one round of faults;
`make chaos-cluster` runs 120 s, a round every 40 s (TOLLGATE_CLUSTER_SECONDS).
"""

from __future__ import annotations

import asyncio
import os
import time
from pathlib import Path

import pytest

from infra.settings import Settings
from launch.embedded import free_port
from tests.integration.api_stack import make_users
from tests.integration.chaos_load import run_load
from tests.integration.nats_cluster import NatsCluster
from tests.integration.run_audit import (
    SETTLE,
    Run,
    Sink,
    fresh_database,
    look,
    problems,
    report,
    subscribe_all,
    webhook_problems,
)
from tests.stack import start_stack

SECONDS = float(os.environ.get("TOLLGATE_CLUSTER_SECONDS", "24"))
ROUND = 40.0  # seconds of load per round of faults in the long run
CLIENTS = 4

pytestmark = [
    pytest.mark.asyncio(loop_scope="session"),
    pytest.mark.timeout(int(2 * SECONDS + SETTLE + 240)),
]


async def test_a_cluster_losing_its_stream_leader_and_then_another_node_loses_nothing(
    pg_server_url: str, tmp_path: Path
):
    cluster = NatsCluster(tmp_path / "nats")
    await cluster.start()
    run = Run()
    try:
        async with fresh_database(pg_server_url) as url, Sink(free_port()) as sink:
            settings = Settings(
                database_url=url,
                nats_url=cluster.url,
                stream="TG_CLUSTER",
                subject_root="tgcluster",
                stream_replicas=3,
                demo=False,
            )
            began = await load_while_nodes_die(settings, cluster, sink, run)
            found = problems(run) + webhook_problems(sink, run.stored)
            report(f"cluster: {SECONDS:g}s of load on 3 nodes", run, began)
            print(f"  webhook deliveries received: {len(sink.received)}")
    finally:
        await cluster.stop()
    assert run.ledger and run.stored, "no load reached the stack"
    assert len(run.windows) >= 2, "the faults did not all run"
    assert not found, "\n".join(found[:40])


async def load_while_nodes_die(
    settings: Settings, cluster: NatsCluster, sink: Sink, run: Run
) -> float:
    stack = await start_stack(settings, extra_env={"TOLLGATE_STREAM_REPLICAS": "3"})
    try:
        await subscribe_all(settings, sink)
        tokens = await make_users(settings)
        began = time.monotonic()
        journeys = max(4, int(SECONDS / 2))
        load = asyncio.create_task(
            run_load(stack.url, tokens, clients=CLIENTS, journeys=journeys, seconds=SECONDS)
        )
        rounds = max(1, int(SECONDS // ROUND))
        for n in range(rounds):
            await kill_leader_then_another(cluster, settings.stream, run, began + n * ROUND)
        run.ledger = await load
        await look(settings, run)
    finally:
        await stack.stop_all()
    return began


async def kill_leader_then_another(
    cluster: NatsCluster, stream: str, run: Run, round_began: float
) -> None:
    """At 20 % of the round, the stream leader; at 55 %, a node that does not lead. Each is
    down a few seconds, then restarted and caught up."""
    span = min(SECONDS, ROUND)
    await _until(round_began + 0.2 * span)
    leader = await cluster.wait_for_leader(stream)
    await down_and_up(cluster, stream, run, leader, "the stream leader")
    await _until(round_began + 0.55 * span)
    leader = await cluster.wait_for_leader(stream)
    follower = next(name for name in sorted(cluster.procs) if name != leader)
    await down_and_up(cluster, stream, run, follower, "a node that does not lead")


async def down_and_up(cluster: NatsCluster, stream: str, run: Run, node: str, what: str) -> None:
    began = time.monotonic()
    await cluster.kill(node)
    leader = await cluster.wait_for_leader(stream)
    elected = time.monotonic() - began
    await asyncio.sleep(2.0)  # down a while, under load
    await cluster.start(node)
    await cluster.wait_until_current(stream)
    label = (
        f"nats restart (SIGKILL of {what}, {node}; leader {leader} after {elected:.1f}s; "
        f"{node} back and current)"
    )
    run.windows.append((began, time.monotonic(), label))


async def _until(moment: float) -> None:
    await asyncio.sleep(max(0.0, moment - time.monotonic()))
