"""The command path every stage service shares.

load stream -> fold with evolve -> decide -> append with the expected version,
retried on a concurrency conflict unless the caller pinned a version. After the
commit the events are published at once (to learn their global position); the
outbox relay publishes anything this misses.
"""

from __future__ import annotations

import asyncio
import logging
import random
import uuid
from collections.abc import Mapping
from typing import Any, Protocol

import msgspec

from events.base import Command, Event, event_tag
from events.envelope import Metadata
from events.errors import DomainError
from events.replies import (
    CAUSATION_ID,
    CORRELATION_ID,
    EXPECTED_VERSION,
    CommandReply,
    Problem,
)
from infra.bus import Publisher
from infra.db import Connection
from infra.eventstore import ConcurrencyError, EventStore, NewEvent, RecordedEvent

log = logging.getLogger(__name__)
_ENCODE = msgspec.json.Encoder()
RETRIES = 20  # a stream under heavy contention: each round one writer wins


class Decider(Protocol):
    initial_state: Any
    COMMANDS: msgspec.json.Decoder[Any]
    EVENTS: msgspec.json.Decoder[Any]

    def decide(self, command: Any, state: Any) -> list[Any]: ...
    def evolve(self, state: Any, event: Any) -> Any: ...


class Runner:
    def __init__(
        self, store: EventStore, decider: Decider, publisher: Publisher | None = None
    ) -> None:
        self.store = store
        self.decider = decider
        self.publisher = publisher

    async def handle_request(
        self, name: str, body: bytes, headers: Mapping[str, str]
    ) -> CommandReply:
        """A command as it arrives over NATS: decode, then execute."""
        try:
            command = self.decider.COMMANDS.decode(body)
        except msgspec.ValidationError as exc:
            return _failed(Problem(code="invalid", detail=f"invalid {name} command: {exc}"))
        except msgspec.DecodeError as exc:
            return _failed(Problem(code="invalid", detail=f"malformed JSON: {exc}"))
        if event_tag_of(command) != name:
            return _failed(Problem(code="invalid", detail=f"body is a {event_tag_of(command)}"))
        expected = headers.get(EXPECTED_VERSION)
        return await self.execute(
            command,
            expected_version=int(expected) if expected and expected.isdigit() else None,
            correlation_id=headers.get(CORRELATION_ID),
            causation_id=headers.get(CAUSATION_ID),
        )

    async def execute(
        self,
        command: Command,
        *,
        expected_version: int | None = None,
        correlation_id: str | None = None,
        causation_id: str | None = None,
        conn: Connection | None = None,
    ) -> CommandReply:
        """Run one command. Inside `conn` (a consumer's transaction) nothing is published:
        the relay publishes once that transaction commits."""
        stream_id = command.initiative_id
        for attempt in range(RETRIES):
            if attempt:  # jitter, so that the losers of one round do not collide again
                await asyncio.sleep(random.uniform(0, 0.002 * attempt))
            recorded = await self.store.read_stream(stream_id)
            version = len(recorded)
            if expected_version is not None and expected_version != version:
                return _conflict(stream_id, expected_version, version)
            state = self.decider.initial_state
            for row in recorded:
                state = self.decider.evolve(state, self.decider.EVENTS.decode(row.data))
            try:
                new = self.decider.decide(command, state)
            except DomainError as exc:
                problem = Problem(code=exc.code, detail=exc.detail, unmet=exc.unmet)
                return _failed(problem, stream_id, version)
            if not new:
                return CommandReply(ok=True, initiative_id=stream_id, version=version)
            meta = _ENCODE.encode(
                Metadata(
                    actor=command.actor.id,
                    actorkind=command.actor.kind,
                    correlationid=correlation_id or str(uuid.uuid4()),
                    causationid=causation_id,
                )
            )
            rows = [_new_event(e, meta) for e in new]
            try:
                positions = await self.store.append(stream_id, rows, version, conn)
            except ConcurrencyError as exc:
                if expected_version is not None:
                    return _conflict(stream_id, expected_version, exc.current_version)
                continue
            position = None if conn else await self._publish(stream_id, version, rows, positions)
            return CommandReply(
                ok=True,
                initiative_id=stream_id,
                version=version + len(rows),
                position=position,
                event_ids=[str(r.event_id) for r in rows],
            )
        return _failed(Problem(code="conflict", detail="too many concurrent changes; retry"))

    async def _publish(
        self, stream_id: str, version: int, rows: list[NewEvent], positions: list[int]
    ) -> int | None:
        if self.publisher is None:
            return None
        recorded = [
            RecordedEvent(
                position=p,
                tx_id=0,
                stream_id=stream_id,
                version=version + i + 1,
                event_id=r.event_id,
                type=r.type,
                occurred_at=r.occurred_at,
                recorded_at=r.occurred_at,
                data=r.data,
                metadata=r.metadata,
            )
            for i, (r, p) in enumerate(zip(rows, positions, strict=True))
        ]
        try:
            return (await self.publisher.publish_all(recorded))[-1]
        except Exception as exc:  # the relay will publish them; the command succeeded
            log.warning("immediate publish failed, the relay will retry: %s", exc)
            return None


def event_tag_of(command: Command) -> str:
    return str(type(command).__struct_config__.tag)


def _new_event(event: Event, metadata: bytes) -> NewEvent:
    return NewEvent(
        event_id=uuid.uuid4(),
        type=event_tag(event),
        occurred_at=event.at,
        data=_ENCODE.encode(event),
        metadata=metadata,
    )


def _failed(problem: Problem, stream_id: str = "", version: int = 0) -> CommandReply:
    return CommandReply(ok=False, initiative_id=stream_id, version=version, error=problem)


def _conflict(stream_id: str, expected: int, current: int) -> CommandReply:
    detail = f"initiative {stream_id} is at version {current}, not the expected {expected}"
    problem = Problem(code="conflict", detail=detail, current_version=current)
    return _failed(problem, stream_id, current)
