"""The CloudEvents 1.0 envelope (structured JSON mode) every published event travels in.

Extension attributes carry what the event store records beside the payload:
correlation and causation ids, the actor and whether it is a person or an agent,
the stream version and the position in the source store.
"""

from __future__ import annotations

from datetime import datetime

import msgspec

SPECVERSION = "1.0"


class Metadata(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    """Envelope data written by infra beside each event's payload."""

    actor: str
    actorkind: str = "person"
    correlationid: str | None = None
    causationid: str | None = None


class CloudEvent(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    specversion: str
    id: str
    source: str
    type: str
    subject: str
    time: datetime
    data: msgspec.Raw
    datacontenttype: str = "application/json"
    actor: str = ""
    actorkind: str = "person"
    correlationid: str | None = None
    causationid: str | None = None
    streamversion: int = 0
    position: int = 0


def source_of(stage: str) -> str:
    return f"/tollgate/{stage}"


ENCODER = msgspec.json.Encoder()
CLOUDEVENT_DECODER = msgspec.json.Decoder(CloudEvent)
