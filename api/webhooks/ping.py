"""The test event an admin sends to one subscription to check its receiver."""

from __future__ import annotations

from datetime import datetime

import msgspec

from events.base import Actor
from events.envelope import SPECVERSION, CloudEvent

TYPE = "io.tollgate.system.webhook_test.v1"
SOURCE = "/tollgate/webhooks"


class PingData(msgspec.Struct, frozen=True, kw_only=True):
    subscription_id: str
    message: str = "A test event from Tollgate: your receiver is reachable and can verify it."


def ping_event(subscription_id: str, actor: Actor, event_id: str, now: datetime) -> CloudEvent:
    """A CloudEvent about the subscription itself (its `subject`), not about an initiative."""
    return CloudEvent(
        specversion=SPECVERSION,
        id=event_id,
        source=SOURCE,
        type=TYPE,
        subject=subscription_id,
        time=now,
        data=msgspec.Raw(msgspec.json.encode(PingData(subscription_id=subscription_id))),
        actor=actor.id,
        actorkind=actor.kind,
    )
