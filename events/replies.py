"""What a stage service answers to a command request."""

from __future__ import annotations

import msgspec

from events.errors import ErrorCode


class Problem(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    code: ErrorCode
    detail: str
    unmet: list[str] = []
    current_version: int | None = None


class CommandReply(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    """`version` is the stream's version after the command; `position` the global
    position (JetStream sequence) of its last event, when it was published at once."""

    ok: bool
    initiative_id: str = ""
    version: int = 0
    position: int | None = None
    event_ids: list[str] = []
    error: Problem | None = None
    # the events the command recorded (JSON), so the caller acts on what was decided (the
    # agents service's screening: allowed, held or refused)
    events: list[msgspec.Raw] = []


REPLY_DECODER = msgspec.json.Decoder(CommandReply)

# The query every stage service answers besides its commands: where an initiative stands
# in that stage. The write side routes commands with it, never with the read models.
LOCATE = "locate"


class Locate(msgspec.Struct, frozen=True, kw_only=True):
    initiative_id: str
    kpi_id: str | None = None  # for Whereabouts.last_value


class Whereabouts(msgspec.Struct, frozen=True, kw_only=True):
    """`status` as the stage's own decider sees it: not_started, active, in_review,
    on_hold, killed, passed (its gate let it through) or launched; `re_review` whether a
    launched initiative awaits the committee."""

    stage: str
    status: str
    version: int = 0
    re_review: bool = False
    # what an agent's screening weighs (events.agents): the risk class, and the last value
    # of the KPI the Locate named
    risk_class: str | None = None
    last_value: float | None = None


WHEREABOUTS_DECODER = msgspec.json.Decoder(Whereabouts)

# NATS headers of a command request
EXPECTED_VERSION = "Tollgate-Expected-Version"
CORRELATION_ID = "Tollgate-Correlation-Id"
CAUSATION_ID = "Tollgate-Causation-Id"
# the client's Idempotency-Key, scoped by the API to the caller ("{actor}:{key}"), and a
# digest of the HTTP request it came with: the stage service records both with the events
IDEMPOTENCY_KEY = "Tollgate-Idempotency-Key"
REQUEST_DIGEST = "Tollgate-Request-Digest"
