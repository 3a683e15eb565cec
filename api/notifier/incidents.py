"""The scheduler's incident escalation: a high or critical incident that no one acknowledged
within its time limit (events.incident_limits) goes to the committee chair.

The inbox shows each such incident waiting on its accountable person with `due_at`, the
moment it escalates (services/projection/views/inbox.py); at each tick, every one whose
moment has come gets `escalate-incident` (as Tollgate itself, with the clock's time) to the
pilot service, whose decider checks it again and raises incident_escalated once, naming
the chair (TOLLGATE_COMMITTEE_CHAIR), as review_overdue does for a late review.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import datetime

import msgspec

from events.base import SYSTEM
from events.pilot import EscalateIncident
from events.replies import CommandReply
from infra.commands import ServiceUnavailable
from infra.db import Pool
from services.projection import inbox_store
from services.projection.views.inbox import InboxItem

log = logging.getLogger("tollgate.notifier")
SendCommand = Callable[[str, str, bytes], Awaitable[CommandReply]]  # stage, command, body
_ENCODE = msgspec.json.Encoder()
# incidents waiting to be acknowledged whose escalation moment has come (not escalated yet)
_DUE = (
    "SELECT item FROM projection.inbox WHERE kind = 'incident'"
    " AND item->>'incident_id' IS NOT NULL AND item->>'due_at' IS NOT NULL"
    " AND NOT (item->>'overdue')::boolean AND (item->>'due_at')::timestamptz <= $1"
    " ORDER BY since"
)


async def due(reads: Pool, now: datetime) -> list[InboxItem]:
    rows = await reads.fetch(_DUE, now)
    return [inbox_store.ITEM.decode(r["item"]) for r in rows]


async def escalate_due(reads: Pool, send: SendCommand, chair: str | None, now: datetime) -> int:
    """Escalate every incident whose limit has passed; how many were raised."""
    raised = 0
    for item in await due(reads, now):
        assert item.incident_id is not None  # the query asks for one
        command = EscalateIncident(
            initiative_id=item.initiative_id,
            at=now,
            actor=SYSTEM,
            incident_id=item.incident_id,
            chair=chair,
        )
        try:
            reply = await send("pilot", "escalate-incident", _ENCODE.encode(command))
        except ServiceUnavailable as exc:
            log.warning("incident %s not escalated: %s", item.incident_id, exc)
            continue
        if reply.error is not None:
            log.info("incident %s: %s", item.incident_id, reply.error.detail)
        elif reply.event_ids:
            raised += 1
    return raised
