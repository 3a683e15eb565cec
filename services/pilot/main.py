"""The pilot service: its commands over NATS, its store, its outbox relay, and the
consumer that opens the pilot when poc's gate passes."""

from __future__ import annotations

import asyncio

from events import poc
from infra.settings import Settings
from services.host import Upstream, run_stage
from services.pilot import decider, policy

UPSTREAM = Upstream(
    stage="poc", event_names=("gate_decided",), decoder=poc.EVENT_DECODER, react=policy.react
)


async def main(settings: Settings, stop: asyncio.Event) -> None:
    await run_stage(settings, "pilot", decider, UPSTREAM, stop)
