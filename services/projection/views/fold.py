"""Fold CloudEvents into initiative rows in memory: for the rebuild and for time travel.

Events that arrive before their predecessor wait until it comes; repeats are skipped,
exactly as the live consumer does with its stream version table.
"""

from __future__ import annotations

import msgspec

from events.base import Event
from events.catalog import EVENT_DECODER
from events.envelope import CloudEvent
from services.projection.views.initiative import Initiative, admit, initial, project, store_stream

Key = tuple[str, str]  # (stage, initiative id)


def decode(ce: CloudEvent) -> Event | None:
    """The domain event in a CloudEvent; None for a type this build does not know."""
    try:
        event: Event = EVENT_DECODER.decode(ce.data)
    except msgspec.ValidationError:
        return None
    return event


class Fold:
    """`applied` collects (sequence, event) in the order applied, for the caller to store."""

    def __init__(self) -> None:
        self.rows: dict[str, Initiative] = {}
        self.versions: dict[Key, int] = {}
        self.seen: set[str] = set()
        self.waiting: dict[Key, dict[int, tuple[int, CloudEvent]]] = {}
        self.changed: set[str] = set()
        self.applied: list[tuple[int, CloudEvent]] = []

    def feed(self, ce: CloudEvent, sequence: int = 0) -> None:
        """Apply one event, and any that waited for it; skip repeats."""
        key = (store_stream(ce.type), ce.subject)
        verdict = admit(self.versions.get(key, 0), ce.streamversion)
        if verdict == "repeat" or ce.id in self.seen:
            return
        if verdict == "early":
            self.waiting.setdefault(key, {})[ce.streamversion] = (sequence, ce)
            return
        self._apply(key, sequence, ce)
        while (
            nxt := self.waiting.get(key, {}).pop(self.versions.get(key, 0) + 1, None)
        ) is not None:
            self._apply(key, *nxt)

    def oldest_waiting(self) -> int | None:
        """The lowest sequence still waiting for its predecessor."""
        return min((s for w in self.waiting.values() for s, _ in w.values()), default=None)

    def _apply(self, key: Key, sequence: int, ce: CloudEvent) -> None:
        if ce.streamversion:
            self.versions[key] = ce.streamversion
        self.seen.add(ce.id)
        self.applied.append((sequence, ce))
        event = decode(ce)
        if event is None:
            return
        row = self.rows.get(ce.subject) or initial(ce.subject)
        self.rows[ce.subject] = project(row, event)
        self.changed.add(ce.subject)
