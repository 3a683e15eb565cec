"""The CloudEvents 1.0 envelope (structured JSON mode) every published event travels in.

Extension attributes carry what the event store records beside the payload:
correlation and causation ids, the actor and whether it is a person, an AI agent or
Tollgate itself (`system`), the stream version, and `stageposition`: the position in the
stage service's own store (ordered within that stage only). `traceparent` is the W3C trace
context of the command that recorded the event (the CloudEvents distributed-tracing
extension), set only when tracing is on, so subscribers can continue the trace.

`position` means one thing everywhere: the global position, the JetStream stream
sequence, as command replies return it for `min_position`. A message on NATS leaves it
out (its sequence is in the message's metadata); the HTTP timeline fills it in.
"""

from __future__ import annotations

from datetime import datetime

import msgspec

from events.base import SYSTEM, ActorKind

SPECVERSION = "1.0"


class Metadata(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    """Envelope data written by infra beside each event's payload."""

    actor: str
    actorkind: ActorKind = "person"
    correlationid: str | None = None
    causationid: str | None = None
    traceparent: str | None = None  # the recording command's trace context, when traced

    def __post_init__(self) -> None:
        _upcast_actorkind(self)


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
    actorkind: ActorKind = "person"
    correlationid: str | None = None
    causationid: str | None = None
    streamversion: int = 0
    stageposition: int = 0  # position in the stage's store: ordered within one stage only
    position: int = 0  # the JetStream sequence; 0 (left out) on a published message
    traceparent: str | None = None  # W3C trace context (distributed-tracing extension)

    def __post_init__(self) -> None:
        _upcast_actorkind(self)


def actorkind_of(actor: str, actorkind: ActorKind) -> ActorKind:
    """Events stored before the `system` kind recorded Tollgate's handoffs as `agent`."""
    return "system" if actor == SYSTEM.id and actorkind == "agent" else actorkind


def _upcast_actorkind(envelope: Metadata | CloudEvent) -> None:
    kind = actorkind_of(envelope.actor, envelope.actorkind)
    if kind != envelope.actorkind:
        msgspec.structs.force_setattr(envelope, "actorkind", kind)


def source_of(stage: str) -> str:
    return f"/tollgate/{stage}"


ENCODER = msgspec.json.Encoder()
CLOUDEVENT_DECODER = msgspec.json.Decoder(CloudEvent)
