"""The mvp service: its commands over NATS, its store, its outbox relay, and the
consumer that opens the mvp when pilot's gate passes."""

from __future__ import annotations

import asyncio

from events import pilot
from infra.settings import Settings
from services.host import Upstream, run_stage
from services.mvp import decider, policy

UPSTREAM = Upstream(
    stage="pilot", event_names=("gate_decided",), decoder=pilot.EVENT_DECODER, react=policy.react
)


async def main(settings: Settings, stop: asyncio.Event) -> None:
    await run_stage(settings, "mvp", decider, UPSTREAM, stop)
