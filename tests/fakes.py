"""In-memory fakes of the write path's ports, for unit tests that run in milliseconds."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

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


class FakeEventStore:
    """The event store's contract: versions per stream, one global order, idempotency keys
    and snapshots. `interleave` appends another writer's events just before the next
    append, to provoke a concurrency conflict."""

    def __init__(self) -> None:
        self.events: list[RecordedEvent] = []
        self.replies: dict[str, StoredReply] = {}
        self.snapshots: dict[str, tuple[str, Snapshot]] = {}
        self.read_counts: list[int] = []  # events returned by each read_stream
        self.interleave: list[tuple[str, list[NewEvent]]] = []

    def stream(self, stream_id: str) -> list[RecordedEvent]:
        return [e for e in self.events if e.stream_id == stream_id]

    async def read_stream(self, stream_id: str, after_version: int = 0) -> list[RecordedEvent]:
        found = [e for e in self.stream(stream_id) if e.version > after_version]
        self.read_counts.append(len(found))
        return found

    async def append(
        self,
        stream_id: str,
        events: Sequence[NewEvent],
        expected_version: int,
        conn: Connection | None = None,
        idempotent: Idempotent | None = None,
    ) -> Appended:
        while self.interleave:
            other_stream, others = self.interleave.pop(0)
            self._write(other_stream, others, len(self.stream(other_stream)))
        if idempotent is not None and idempotent.key in self.replies:
            raise DuplicateKey(idempotent.key)
        current = len(self.stream(stream_id))
        if current != expected_version:
            raise ConcurrencyError(stream_id, expected_version, current)
        appended = self._write(stream_id, events, current)
        if idempotent is not None:
            self.replies[idempotent.key] = StoredReply(
                idempotent.digest, idempotent.reply, appended.tx_id, appended.positions[-1]
            )
        return appended

    def _write(self, stream_id: str, events: Sequence[NewEvent], version: int) -> Appended:
        tx_id = len(self.events) + 1000
        positions = []
        for i, e in enumerate(events):
            position = len(self.events) + 1
            self.events.append(
                RecordedEvent(
                    position, tx_id, stream_id, version + i + 1, e.event_id, e.type,
                    e.occurred_at, datetime.now(UTC).timestamp(), e.data, e.metadata,
                )
            )  # fmt: skip
            positions.append(position)
        return Appended(positions, tx_id)

    async def find_reply(self, key: str) -> StoredReply | None:
        return self.replies.get(key)

    async def load_stream(
        self, stream_id: str, state_key: str
    ) -> tuple[Snapshot | None, list[RecordedEvent]]:
        key, snapshot = self.snapshots.get(stream_id, ("", None))
        snapshot = snapshot if key == state_key else None
        return snapshot, await self.read_stream(stream_id, snapshot.version if snapshot else 0)

    async def save_snapshot(self, stream_id: str, state_key: str, snapshot: Snapshot) -> None:
        self.snapshots[stream_id] = (state_key, snapshot)


class FakePublisher:
    """Publishes at once: the JetStream sequence of an event is its position plus 100."""

    async def sequence_after(self, tx_id: int, position: int) -> int | None:
        return position + 100
