"""The poc service: its commands over NATS, its store, its outbox relay, and the
consumer that opens the poc when ideation's gate passes."""

from __future__ import annotations

import asyncio

from events import ideation
from infra.settings import Settings
from services.host import Upstream, run_stage
from services.poc import decider, policy

UPSTREAM = Upstream(
    stage="ideation",
    event_names=("gate_decided",),
    decoder=ideation.EVENT_DECODER,
    react=policy.react,
)


async def main(settings: Settings, stop: asyncio.Event) -> None:
    await run_stage(settings, "poc", decider, UPSTREAM, stop)
