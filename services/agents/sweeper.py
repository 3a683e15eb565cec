"""The agents service's clock-driven work: every `every` seconds, for each agent, refuse the
held actions past their time limit (`expire-held`) and suspend an agent whose attestation
lapsed (`check-attestation`), as Tollgate itself with the clock's time. The decider decides
(a sweep with nothing due changes nothing), so replicas may sweep at once."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from datetime import UTC, datetime

from events import agents
from events.base import SYSTEM
from infra.eventstore import EventStore
from services.agents.state import AgentState
from services.runner import Runner

log = logging.getLogger("tollgate.agents")
Clock = Callable[[], datetime]


def system_clock() -> datetime:
    return datetime.now(UTC)


class Sweeper:
    def __init__(self, runner: Runner[agents.AgentCommandUnion, AgentState, agents.AnyAgentEvent],
                 store: EventStore, clock: Clock = system_clock) -> None:  # fmt: skip
        self.runner = runner
        self.store = store
        self.clock = clock

    async def agent_ids(self) -> list[str]:
        sql = f"SELECT DISTINCT stream_id FROM {self.store.schema}.events ORDER BY stream_id"
        return [str(r["stream_id"]) for r in await self.store.pool.fetch(sql)]

    async def sweep(self) -> int:
        """One round; the number of events it recorded."""
        recorded = 0
        for agent_id in await self.agent_ids():
            now = self.clock()
            for command in (
                agents.ExpireHeld(agent_id=agent_id, at=now, actor=SYSTEM),
                agents.CheckAttestation(agent_id=agent_id, at=now, actor=SYSTEM),
            ):
                reply = await self.runner.execute(command)
                if reply.error is not None:
                    log.warning("sweeping %s: %s", agent_id, reply.error.detail)
                recorded += len(reply.event_ids)
        return recorded

    async def run(self, stop: asyncio.Event, every: float) -> None:
        while not stop.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), every)
            if stop.is_set():
                return
            try:
                await self.sweep()
            except Exception:  # the database went away: the next round tries again
                log.exception("sweeping the agents failed")
