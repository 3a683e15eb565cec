"""Chaos: bounded HTTP load while services are SIGKILLed, NATS restarts and database
backends are terminated; afterwards every acknowledged command is stored and published
exactly once, nothing is applied twice, and a projection rebuild equals the live models.

The suite runs a short version; `make chaos` a long one (TOLLGATE_CHAOS_SECONDS=240).
The test has a database and a nats-server of its own: NATS restarts and terminated
backends touch nothing else.
"""

from __future__ import annotations

import asyncio
import os
import random
import time
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path

import nats
import pytest
import pytest_asyncio

from infra.db import connect, create_pool
from infra.settings import Settings
from services.projection.rebuild import rebuild
from tests.integration import chaos_audit as audit
from tests.integration import chaos_observe as observe
from tests.integration.api_stack import make_users
from tests.integration.chaos_client import Sent
from tests.integration.chaos_faults import VICTIMS, Faults, PrivateNats
from tests.integration.chaos_load import run_load
from tests.integration.test_projection import snapshot
from tests.stack import Stack, start_stack

SECONDS = float(os.environ.get("TOLLGATE_CHAOS_SECONDS", "25"))
SEED = int(os.environ.get("TOLLGATE_CHAOS_SEED", random.randrange(1 << 30)))
CLIENTS = 4
SETTLE = 120.0  # bound on waiting for the stack to catch up once the faults stop

pytestmark = [
    pytest.mark.asyncio(loop_scope="session"),
    pytest.mark.timeout(int(2 * SECONDS + SETTLE + 240)),
]


@dataclass(frozen=True)
class Chaos:
    settings: Settings
    nats: PrivateNats
    admin_dsn: str
    database: str


@pytest_asyncio.fixture(loop_scope="session")
async def chaos(pg_server_url: str, tmp_path: Path) -> AsyncIterator[Chaos]:
    """A fresh database and a private nats-server, removed afterwards."""
    database = f"tollgate_chaos_{uuid.uuid4().hex[:8]}"
    admin = await connect(pg_server_url)
    await admin.execute(f"CREATE DATABASE {database}")
    base, _, query = pg_server_url.partition("?")
    url = base.rsplit("/", 1)[0] + f"/{database}" + (f"?{query}" if query else "")
    private = PrivateNats(tmp_path)
    await private.start()
    settings = Settings(
        database_url=url,
        nats_url=private.url,
        stream="TG_CHAOS",
        subject_root="tgchaos",
        demo=False,
    )
    try:
        yield Chaos(settings, private, pg_server_url, database)
    finally:
        await private.stop()
        await admin.execute(f"DROP DATABASE IF EXISTS {database} WITH (FORCE)")
        await admin.close()


def victims() -> tuple[str, ...]:
    """A SIGKILLed API leaves its keys claimed until their lease ends (60 s): the long run
    only kills it too."""
    return VICTIMS if SECONDS >= 120 else tuple(v for v in VICTIMS if v != "api")


@dataclass
class Observed:
    """What one chaos run sent, injected and found afterwards."""

    ledger: list[Sent] = field(default_factory=list)
    faults: Faults | None = None
    unsettled: str | None = None
    stored: list[observe.Stored] = field(default_factory=list)
    published: list[observe.Published] = field(default_factory=list)
    evidence: list[str] = field(default_factory=list)
    handler_errors: list[str] = field(default_factory=list)  # since each service's last start
    live: observe.Snapshot = ([], [], 0)
    rebuilt: observe.Snapshot = ([], [], 0)
    seconds: dict[str, float] = field(default_factory=dict)


async def test_every_acknowledged_command_is_stored_and_published_exactly_once_under_faults(
    chaos: Chaos,
):
    seen = Observed()
    clock = time.monotonic()
    stack = await start_stack(chaos.settings)
    try:
        seen.seconds["start"], clock = time.monotonic() - clock, time.monotonic()
        await load_under_faults(chaos, stack, seen)
        seen.seconds["load and faults"], clock = time.monotonic() - clock, time.monotonic()
        await look(chaos.settings, seen)
        seen.seconds["settle, read, rebuild"] = time.monotonic() - clock
    finally:
        await stack.stop_all()
    problems = verdict(seen)
    report(seen)
    assert seen.ledger and seen.stored, "no load reached the stack"
    assert not problems, "\n".join(problems[:40])


async def load_under_faults(chaos: Chaos, stack: Stack, seen: Observed) -> None:
    """The clients' journeys while the faults run; the journeys under way when the faults
    stop finish against a healthy stack."""
    tokens = await make_users(chaos.settings)
    seen.faults = Faults(stack, chaos.nats, chaos.admin_dsn, chaos.database, SEED, victims())
    load = asyncio.create_task(
        run_load(
            stack.url,
            tokens,
            clients=CLIENTS,
            journeys=max(4, int(SECONDS / 2)),
            seconds=SECONDS,
        )
    )
    began = time.monotonic()
    await seen.faults.run(SECONDS)
    seen.seconds["faults"] = time.monotonic() - began
    seen.ledger = await load
    await seen.faults.supervise()


async def look(settings: Settings, seen: Observed) -> None:
    """Once settled: the stores, the whole stream, the live read models and a rebuild."""
    nc = await nats.connect(settings.nats_url)
    js, subject = nc.jetstream(), settings.subjects.events
    pool = await create_pool(settings.database_url)
    try:
        seen.unsettled = await observe.settle(js, pool, settings.stream, subject, SETTLE)
        seen.stored = await observe.stored_events(pool)
        seen.published = await observe.stream_messages(js, settings.stream, subject)
        missing = {e.event_id for e in seen.stored} - {m.event_id for m in seen.published}
        seen.evidence = await observe.unpublished_evidence(pool, missing)
        seen.handler_errors = await observe.service_errors(nc, settings.subjects)
        seen.live = await snapshot(pool)
        await rebuild(settings)
        seen.rebuilt = await snapshot(pool)
    finally:
        await pool.close()
        await nc.close()


def verdict(seen: Observed) -> list[str]:
    near = seen.faults.near if seen.faults else lambda *_: []
    _, problems = audit.stream_problems(seen.stored, seen.published)
    problems += audit.audit_commands(seen.ledger, seen.stored, near)
    problems += audit.audit_answers(seen.ledger)
    problems += audit.audit_positions(seen.ledger, near)
    problems += audit.projection_problems(seen.stored, seen.live, seen.rebuilt)
    problems += seen.evidence
    problems += [f"{s.step} {s.key}: {e}" for s in seen.ledger for e in s.errors][:10]
    if seen.unsettled:
        problems.insert(0, f"not settled after {SETTLE:g}s: {seen.unsettled}")
    return problems


def report(seen: Observed) -> None:
    counts, _ = audit.stream_problems(seen.stored, seen.published)
    faults = seen.faults
    assert faults is not None
    print(f"\nchaos: {SECONDS:g}s of load, seed {SEED}, victims {', '.join(faults.victims)}")
    for name, n in {**audit.command_counts(seen.ledger), **counts}.items():
        print(f"  {name:28} {n}")
    print(f"  {'faults injected':28} {sum(faults.injected.values())}")
    print(f"    {dict(faults.injected)}; {faults.backends_terminated} backends terminated")
    print(f"  services that died by themselves: {dict(faults.died)}")
    print(f"  refusals: {dict(audit.refusals(seen.ledger))}")
    print(f"  stage handlers that raised (since their last start): {seen.handler_errors}")
    print(f"  slowest command: {audit.slowest(seen.ledger)}")
    print("  seconds: " + ", ".join(f"{k} {v:.1f}" for k, v in seen.seconds.items()))
