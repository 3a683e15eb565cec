"""Fold CloudEvents into initiative rows in memory: for the rebuild and for time travel.

Each stage's events arrive in their store's order (one ordered publisher per stage), so
an event is either new or a repeat; repeats are skipped by event id, as the live consumer
skips them with its tracking table.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Collection
from itertools import islice
from typing import NamedTuple

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
    due for a snapshot (initiative id, sequence, row), for the caller to store.

    With `keep`, `evict` bounds the rows in memory (the least recently used go, those
    `changed` since last written returned for the caller to write); the caller puts a
    row it evicted back into `rows` before feeding an event of that initiative, and may
    forget `seen` ids it can look up itself (the rebuild asks its timeline)."""

    def __init__(self, keep: int | None = None) -> None:
        self.rows: OrderedDict[str, Initiative] = OrderedDict()  # least recently used first
        self.keep = keep
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
        self.rows.move_to_end(ce.subject)
        self.changed.add(ce.subject)
        if snapshot_due(ce.streamversion):
            self.snapshots.append((ce.subject, sequence, row))

    def evict(self, keeping: Collection[str] = ()) -> list[Initiative]:
        """Forget the least recently used rows beyond `keep`, never those of `keeping` (the
        next chunk's initiatives); returns the changed ones."""
        if self.keep is None or len(self.rows) <= self.keep:
            return []
        excess = len(self.rows) - self.keep
        gone = list(islice((i for i in self.rows if i not in keeping), excess))
        out = []
        for initiative_id in gone:
            row = self.rows.pop(initiative_id)
            if initiative_id in self.changed:
                self.changed.discard(initiative_id)
                out.append(row)
        return out

    def detach(self, keeping: Collection[str] = ()) -> Folded:
        """What the events fed since the last detach left to store, handed over: the
        events applied, the snapshots due and the changed rows evicted."""
        folded = Folded(self.applied, self.snapshots, self.evict(keeping))
        self.applied, self.snapshots = [], []
        return folded


class Folded(NamedTuple):
    applied: list[tuple[int, CloudEvent]]
    snapshots: list[tuple[str, int, Initiative]]
    evicted: list[Initiative]
