"""The API's view of NATS: send commands, ping services, watch events, measure lag.

Only infra talks to nats-py; this class wires infra's functions to one connection
and is the single place the app touches the broker (tests can replace it with a fake).
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Mapping
from typing import Protocol

from events.replies import CommandReply, Whereabouts
from infra import bus, commands
from infra.db import Pool
from infra.settings import Settings
from services.projection import queries
from services.projection.models import Lag

# seconds a command waits for its stage to open: the previous stage's gate let the
# initiative through, and the opening is still in flight over JetStream
OPEN_WAIT = 3.0


class Broker(Protocol):
    async def send(
        self,
        stage: str,
        command: str,
        body: bytes,
        headers: Mapping[str, str],
        open_wait: float = 0.0,
    ) -> CommandReply: ...

    async def locate(
        self, stage: str, initiative_id: str, kpi_id: str | None = None
    ) -> Whereabouts: ...

    async def ping(self, stage: str) -> bool: ...

    def watch(self, subject: str) -> AsyncIterator[bytes]: ...

    async def lag(self, pool: Pool) -> Lag: ...


class NatsBroker:
    """One NATS connection per API process, opened by `connect`."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.subjects = settings.subjects

    async def connect(self) -> None:
        self.nc = await bus.connect(self.settings.nats_url, name="tollgate-api")
        self.js = self.nc.jetstream()
        await bus.ensure_stream(self.js, self.subjects, self.settings.stream_replicas)

    async def close(self) -> None:
        with contextlib.suppress(Exception):
            await self.nc.drain()

    async def send(
        self,
        stage: str,
        command: str,
        body: bytes,
        headers: Mapping[str, str],
        open_wait: float = 0.0,
    ) -> CommandReply:
        return await commands.send(
            self.nc, self.subjects, stage, command, body,
            headers=headers, timeout=self.settings.command_timeout, open_wait=open_wait,
        )  # fmt: skip

    async def locate(
        self, stage: str, initiative_id: str, kpi_id: str | None = None
    ) -> Whereabouts:
        return await commands.locate(
            self.nc,
            self.subjects,
            stage,
            initiative_id,
            self.settings.command_timeout,
            kpi_id=kpi_id,
        )

    async def ping(self, stage: str) -> bool:
        """Whether at least one instance of the stage's NATS service answers."""
        try:
            await self.nc.request(f"$SRV.PING.{self.subjects.service(stage)}", b"", timeout=1)
        except Exception:  # no responders, timeout, or a closed connection: all "down"
            return False
        return True

    async def watch(self, subject: str) -> AsyncIterator[bytes]:
        """Live events on a core-NATS subscription: from now on, never replayed."""
        sub = await self.nc.subscribe(subject)
        try:
            async for msg in sub.messages:
                yield msg.data
        finally:
            with contextlib.suppress(Exception):
                await sub.unsubscribe()

    async def lag(self, pool: Pool) -> Lag:
        """How far the read models are behind the stream (raises when the broker is down)."""
        return await queries.lag(pool, self.js, self.subjects.stream)
