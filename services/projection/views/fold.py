"""Fold CloudEvents into initiative rows in memory: for the rebuild and for time travel.

Events that arrive before their predecessor wait until it comes; repeats are skipped,
exactly as the live consumer does with its stream version table.
"""

from __future__ import annotations

from datetime import datetime

import msgspec

from events.base import Event, type_parts
from events.catalog import EVENT_DECODER
from events.envelope import CloudEvent
from services.projection.views.initiative import Initiative, admit, initial, project

Key = tuple[str, str]  # (stage, initiative id)


def decode(ce: CloudEvent) -> Event | None:
    """The domain event in a CloudEvent; None for a type this build does not know."""
    try:
        event: Event = EVENT_DECODER.decode(ce.data)
    except msgspec.ValidationError:
        return None
    return event


class Fold:
    def __init__(self) -> None:
        self.rows: dict[str, Initiative] = {}
        self.versions: dict[Key, int] = {}
        self.waiting: dict[Key, dict[int, CloudEvent]] = {}
        self.changed: set[str] = set()

    def feed(self, ce: CloudEvent, until: datetime | None = None) -> int:
        """Apply one event (and any that waited for it); returns how many were applied."""
        if until is not None and ce.time > until:
            return 0
        key = (type_parts(ce.type)[0], ce.subject)
        verdict = admit(self.versions.get(key, 0), ce.streamversion)
        if verdict == "repeat":
            return 0
        if verdict == "early":
            self.waiting.setdefault(key, {})[ce.streamversion] = ce
            return 0
        self._apply(key, ce)
        applied = 1
        while (nxt := self.waiting.get(key, {}).pop(self.versions[key] + 1, None)) is not None:
            self._apply(key, nxt)
            applied += 1
        return applied

    def _apply(self, key: Key, ce: CloudEvent) -> None:
        if ce.streamversion:
            self.versions[key] = ce.streamversion
        event = decode(ce)
        if event is None:
            return
        row = self.rows.get(ce.subject) or initial(ce.subject)
        self.rows[ce.subject] = project(row, event)
        self.changed.add(ce.subject)
