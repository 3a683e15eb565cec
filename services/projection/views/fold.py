"""Fold CloudEvents into initiative rows in memory: for the rebuild and for time travel.

Each stage's events arrive in their store's order (one ordered publisher per stage), so
an event is either new or a repeat; repeats are skipped by event id, as the live consumer
skips them with its tracking table.
"""

from __future__ import annotations

import msgspec

from events.base import Event
from events.catalog import EVENT_DECODER
from events.envelope import CloudEvent
from services.projection.views.initiative import Initiative, initial, project, snapshot_due


def decode(ce: CloudEvent) -> Event | None:
    """The domain event in a CloudEvent; None for a type this build does not know."""
    try:
        event: Event = EVENT_DECODER.decode(ce.data)
    except msgspec.ValidationError:
        return None
    return event


class Fold:
    """`applied` collects (sequence, event) in the order applied and `snapshots` the rows
    due for a snapshot (initiative id, sequence, row), for the caller to store."""

    def __init__(self) -> None:
        self.rows: dict[str, Initiative] = {}
        self.seen: set[str] = set()
        self.changed: set[str] = set()
        self.applied: list[tuple[int, CloudEvent]] = []
        self.snapshots: list[tuple[str, int, Initiative]] = []

    def feed(self, ce: CloudEvent, sequence: int = 0) -> None:
        """Apply one event; skip a repeat."""
        if ce.id in self.seen:
            return
        self.seen.add(ce.id)
        self.applied.append((sequence, ce))
        event = decode(ce)
        if event is None:
            return
        row = project(self.rows.get(ce.subject) or initial(ce.subject), event)
        self.rows[ce.subject] = row
        self.changed.add(ce.subject)
        if snapshot_due(ce.streamversion):
            self.snapshots.append((ce.subject, sequence, row))
