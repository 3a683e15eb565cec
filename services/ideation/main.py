"""The ideation service: its commands over NATS, its store, its outbox relay."""

from __future__ import annotations

import asyncio

from infra.settings import Settings
from services.host import run_stage
from services.ideation import decider


async def main(settings: Settings, stop: asyncio.Event) -> None:
    await run_stage(settings, "ideation", decider, None, stop)
