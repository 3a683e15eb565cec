"""The trends service: the trend radar's commands over NATS, its store, its outbox relay.

Why a service of its own and not part of ideation: a trend is not an initiative and has
no stage or gate. Its streams are keyed by trend, its writers are the AI manager and the
committee (not an initiative's team), and ring moves must neither contend with nor
enlarge ideation's store. A trend links to the initiatives it affects by initiative id
only, as the stages link to each other by events: this service reads no stage's tables,
and the API checks that a linked initiative exists against the read models.
"""

from __future__ import annotations

import asyncio

from infra.settings import Settings
from services.host import run_service
from services.trends import decider


async def main(settings: Settings, stop: asyncio.Event) -> None:
    await run_service(settings, "trends", decider, stop)
