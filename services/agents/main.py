"""The agents service: agents' commands over NATS (policies, screening, approvals, sponsor,
kill switch), its store, its outbox relay, and the sweeper that refuses held actions past
their limit and suspends agents whose attestation lapsed (TOLLGATE_SCHEDULER_SECONDS apart;
0 turns it off, as the tests do: they sweep with a clock of their own)."""

from __future__ import annotations

import asyncio

from infra.db import create_pool
from infra.eventstore import EventStore
from infra.settings import Settings
from services.agents import decider
from services.agents.sweeper import Sweeper
from services.host import run_service
from services.runner import Runner

SERVICE = "agents"


async def main(settings: Settings, stop: asyncio.Event) -> None:
    await asyncio.gather(run_service(settings, SERVICE, decider, stop), sweep(settings, stop))


async def sweep(settings: Settings, stop: asyncio.Event) -> None:
    if settings.scheduler_seconds <= 0:
        return
    pool = await create_pool(settings.database_url_for(SERVICE), max_size=2)
    try:
        store = EventStore(pool, SERVICE)
        await Sweeper(Runner(store, decider), store).run(stop, settings.scheduler_seconds)
    finally:
        await pool.close()
