"""Side views: read models of the streams that are not initiatives (agents, trends).

Their events reach the projection on the same stream and land in the timeline under their
stream id like every other; a side view then writes its own tables. Each is registered
here by its category (the `stage` part of the CloudEvent type) and called in stream order:
once per new event by the live consumer, in its transaction, and by the rebuild inside its
checkpoint transaction. A side view is idempotent all the same (upserts, rows keyed by
event id), so applying an event twice changes nothing.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from events.base import type_parts
from events.envelope import CloudEvent
from infra.db import Connection
from services.projection import agents_store, trends_store

SideView = Callable[[Connection, CloudEvent, int, str], Awaitable[None]]

SIDE_VIEWS: dict[str, SideView] = {}
SIDE_VIEWS["trends"] = trends_store.apply  # the radar: trends and their ring moves
SIDE_VIEWS["agents"] = agents_store.apply  # policies, screened actions, suspensions


def side_view(ce: CloudEvent) -> SideView | None:
    """The side view an event belongs to; None for an initiative's event."""
    try:
        category = type_parts(ce.type)[0]
    except ValueError:  # not one of ours: the initiative fold skips it too
        return None
    return SIDE_VIEWS.get(category)
