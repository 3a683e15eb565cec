"""The command path every stage service shares, in Eventide's fixed steps:

1. replay: a retry with a known idempotency key gets the first reply, nothing more;
2. fetch: the folded state and version (cached per stream, a snapshot, then newer events);
3. check: the expected version, then the decider's rules;
4. write: append with the expected version and the idempotency key in one statement,
   retried on a concurrency conflict unless the caller pinned a version.

Nothing here publishes: the outbox relay is the only publisher. A reply's `position` is
the JetStream sequence the relay reached once it covered the command's events.
"""

from __future__ import annotations

import asyncio
import random
import re
import uuid
from collections.abc import Mapping, Sequence
from typing import Generic, Protocol, TypeVar

import msgspec

from events.base import Addressed, Fact, event_tag
from events.envelope import Metadata
from events.errors import NUL_MESSAGE, DomainError
from events.replies import (
    CAUSATION_ID,
    CORRELATION_ID,
    EXPECTED_VERSION,
    IDEMPOTENCY_KEY,
    REPLY_DECODER,
    REQUEST_DIGEST,
    CommandReply,
    Problem,
)
from infra import tracing
from infra.db import Connection
from infra.eventstore import (
    Appended,
    ConcurrencyError,
    DuplicateKey,
    Idempotent,
    NewEvent,
    RecordedEvent,
    Snapshot,
    StoredReply,
)
from services.folded import Folded, FoldedCache, state_key

_ENCODE = msgspec.json.Encoder()
RETRIES = 20  # a stream under heavy contention: each round one writer wins
SNAPSHOT_EVERY = 100  # events folded since the last snapshot before a new one is taken

C = TypeVar("C", bound=Addressed)
S = TypeVar("S")
E = TypeVar("E", bound=Fact)


class Decider(Protocol[C, S, E]):
    """fmodel's decider: a stage's decider module fits it."""

    @property
    def initial_state(self) -> S: ...
    @property
    def COMMANDS(self) -> msgspec.json.Decoder[C]: ...  # noqa: N802
    @property
    def EVENTS(self) -> msgspec.json.Decoder[E]: ...  # noqa: N802

    def decide(self, command: C, state: S, /) -> Sequence[Fact]: ...
    def evolve(self, state: S, event: E, /) -> S: ...


class EventStore(Protocol):
    async def read_stream(self, stream_id: str, after_version: int = 0) -> list[RecordedEvent]: ...
    async def append(
        self,
        stream_id: str,
        events: Sequence[NewEvent],
        expected_version: int,
        conn: Connection | None = None,
        idempotent: Idempotent | None = None,
    ) -> Appended: ...
    async def find_reply(self, key: str) -> StoredReply | None: ...
    async def load_stream(
        self, stream_id: str, state_key: str
    ) -> tuple[Snapshot | None, list[RecordedEvent]]: ...
    async def save_snapshot(self, stream_id: str, state_key: str, snapshot: Snapshot) -> None: ...


class Publisher(Protocol):
    async def sequence_after(self, tx_id: int, position: int) -> int | None:
        """The JetStream sequence once the relay published past this point (None if it
        did not get there in time: the events are stored and will be published)."""
        ...


class Options(msgspec.Struct, frozen=True, kw_only=True):
    expected_version: int | None = None
    correlation_id: str | None = None
    causation_id: str | None = None
    idempotency_key: str | None = None
    digest: str = ""

    @classmethod
    def from_headers(cls, headers: Mapping[str, str]) -> Options:
        expected = headers.get(EXPECTED_VERSION)
        return cls(
            expected_version=int(expected) if expected and expected.isdigit() else None,
            correlation_id=headers.get(CORRELATION_ID),
            causation_id=headers.get(CAUSATION_ID),
            idempotency_key=headers.get(IDEMPOTENCY_KEY) or None,
            digest=headers.get(REQUEST_DIGEST, ""),
        )


class Runner(Generic[C, S, E]):
    def __init__(
        self, store: EventStore, decider: Decider[C, S, E], publisher: Publisher | None = None
    ) -> None:
        self.store = store
        self.decider = decider
        self.publisher = publisher
        self.cache: FoldedCache[S] = FoldedCache()
        self.state_key = state_key(decider.initial_state)
        self._states = msgspec.json.Decoder(type(decider.initial_state))

    async def handle_request(
        self, name: str, body: bytes, headers: Mapping[str, str]
    ) -> CommandReply:
        """A command as it arrives over NATS: decode, then execute."""
        if _NUL.search(body):  # the event store would keep it, but no read model could
            return _failed(Problem(code="invalid", detail=f"invalid {name} command: {NUL_MESSAGE}"))
        try:
            command = self.decider.COMMANDS.decode(body)
        except msgspec.ValidationError as exc:
            return _failed(Problem(code="invalid", detail=f"invalid {name} command: {exc}"))
        except msgspec.DecodeError as exc:
            return _failed(Problem(code="invalid", detail=f"malformed JSON: {exc}"))
        if event_tag_of(command) != name:
            return _failed(Problem(code="invalid", detail=f"body is a {event_tag_of(command)}"))
        return await self.execute(command, Options.from_headers(headers))

    async def execute(
        self, command: C, options: Options | None = None, conn: Connection | None = None
    ) -> CommandReply:
        """Run one command. Inside `conn` (a consumer's transaction) nothing is waited for:
        the relay publishes once that transaction commits."""
        options = options or Options()
        if options.idempotency_key:
            stored = await self.store.find_reply(options.idempotency_key)
            if stored is not None:
                return await self._replay(stored, options)
        for attempt in range(RETRIES):
            if attempt:  # jitter, so that the losers of one round do not collide again
                await asyncio.sleep(random.uniform(0, 0.002 * attempt))
            folded = await self.fetch(command.stream_id)
            reply = await self._check_and_write(command, folded, options, conn)
            if reply is not None:
                return reply
        return _failed(Problem(code="conflict", detail="too many concurrent changes; retry"))

    async def fetch(self, stream_id: str) -> Folded[S]:
        """The stream's folded state: cached or snapshotted, plus the events after it."""
        base = self.cache.get(stream_id)
        if base is None:  # the snapshot and the events after it, in one round trip
            snapshot, newer = await self.store.load_stream(stream_id, self.state_key)
            base = self._from_snapshot(snapshot)
        else:
            newer = await self.store.read_stream(stream_id, base.version)
        folded = self._fold(base, newer)
        if folded.version - folded.snapshot_version >= SNAPSHOT_EVERY:
            folded = await self._save_snapshot(stream_id, folded)
        self.cache.put(stream_id, folded)
        return folded

    async def _check_and_write(
        self, command: C, folded: Folded[S], options: Options, conn: Connection | None
    ) -> CommandReply | None:
        """The reply, or None when another writer got in first (fetch again)."""
        stream_id, version = command.stream_id, folded.version
        if options.expected_version not in (None, version):
            return _conflict(command, options.expected_version, version)
        try:
            new = self.decider.decide(command, folded.state)
        except DomainError as exc:
            problem = Problem(code=exc.code, detail=exc.detail, unmet=exc.unmet)
            return _failed(problem, stream_id, version)
        if not new:
            position = None if conn else await self._position(folded.tx_id, folded.position)
            return CommandReply(
                ok=True, initiative_id=stream_id, version=version, position=position
            )
        rows = [_new_event(e, _metadata(command, options)) for e in new]
        reply = CommandReply(
            ok=True, initiative_id=stream_id, version=version + len(rows),
            event_ids=[str(r.event_id) for r in rows], events=[msgspec.Raw(r.data) for r in rows],
        )  # fmt: skip
        idempotent = None
        if options.idempotency_key:
            idempotent = Idempotent(options.idempotency_key, options.digest, _ENCODE.encode(reply))
        try:
            appended = await self.store.append(stream_id, rows, version, conn, idempotent)
        except ConcurrencyError as exc:
            if options.expected_version is not None:
                return _conflict(command, options.expected_version, exc.current_version)
            return None
        except DuplicateKey:  # the same key raced us and won: its reply is the answer
            stored = await self.store.find_reply(options.idempotency_key or "")
            assert stored is not None
            return await self._replay(stored, options)
        if conn is not None:  # not committed yet: the cache must not get ahead of the store
            self.cache.drop(stream_id)
            return reply
        self._remember(stream_id, folded, new, appended)
        position = await self._position(appended.tx_id, appended.positions[-1])
        return msgspec.structs.replace(reply, position=position)

    def _remember(
        self, stream_id: str, folded: Folded[S], new: Sequence[Fact], appended: Appended
    ) -> None:
        state = folded.state
        for event in new:
            state = self.decider.evolve(state, self.decider.EVENTS.decode(_ENCODE.encode(event)))
        self.cache.put(stream_id, msgspec.structs.replace(
            folded, state=state, version=folded.version + len(new),
            tx_id=appended.tx_id, position=appended.positions[-1],
        ))  # fmt: skip

    def _fold(self, base: Folded[S], events: list[RecordedEvent]) -> Folded[S]:
        if not events:
            return base
        state = base.state
        for row in events:
            state = self.decider.evolve(state, self.decider.EVENTS.decode(row.data))
        last = events[-1]
        return msgspec.structs.replace(
            base, state=state, version=last.version, tx_id=last.tx_id, position=last.position
        )

    def _from_snapshot(self, snapshot: Snapshot | None) -> Folded[S]:
        if snapshot is None:
            return Folded(state=self.decider.initial_state)
        return Folded(
            state=self._states.decode(snapshot.state), version=snapshot.version,
            tx_id=snapshot.tx_id, position=snapshot.position, snapshot_version=snapshot.version,
        )  # fmt: skip

    async def _save_snapshot(self, stream_id: str, folded: Folded[S]) -> Folded[S]:
        snapshot = Snapshot(folded.version, folded.tx_id, folded.position,
                            _ENCODE.encode(folded.state))  # fmt: skip
        await self.store.save_snapshot(stream_id, self.state_key, snapshot)
        return msgspec.structs.replace(folded, snapshot_version=folded.version)

    async def _replay(self, stored: StoredReply, options: Options) -> CommandReply:
        if stored.digest != options.digest:
            detail = (
                "this Idempotency-Key was first used with another request; "
                "use a new key for a new request"
            )
            return _failed(Problem(code="invalid", detail=detail))
        reply = REPLY_DECODER.decode(stored.reply)
        position = await self._position(stored.tx_id, stored.position)
        return msgspec.structs.replace(reply, position=position)

    async def _position(self, tx_id: int, position: int) -> int | None:
        if self.publisher is None or position == 0:
            return None
        return await self.publisher.sequence_after(tx_id, position)


def event_tag_of(command: Addressed) -> str:
    return str(type(command).__struct_config__.tag)


def _metadata(command: Addressed, options: Options) -> bytes:
    return _ENCODE.encode(
        Metadata(
            actor=command.actor.id,
            actorkind=command.actor.kind,
            correlationid=options.correlation_id or str(uuid.uuid4()),
            causationid=options.causation_id,
            traceparent=tracing.traceparent(),  # the span handling the command, when traced
        )
    )


def _new_event(event: Fact, metadata: bytes) -> NewEvent:
    return NewEvent(
        event_id=uuid.uuid4(),
        type=event_tag(event),
        occurred_at=event.at,
        data=_ENCODE.encode(event),
        metadata=metadata,
    )


# a JSON escape for the NUL character (not an escaped backslash before "u0000")
_NUL = re.compile(rb"(?<!\\)(?:\\\\)*\\u0000")


def _failed(problem: Problem, stream_id: str = "", version: int = 0) -> CommandReply:
    return CommandReply(ok=False, initiative_id=stream_id, version=version, error=problem)


def _conflict(command: Addressed, expected: int, current: int) -> CommandReply:
    stream_id, kind = command.stream_id, command.stream_kind
    detail = f"{kind} {stream_id} is at version {current}, not the expected {expected}"
    problem = Problem(code="conflict", detail=detail, current_version=current)
    return _failed(problem, stream_id, current)
