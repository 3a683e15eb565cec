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


REPLY_DECODER = msgspec.json.Decoder(CommandReply)

# NATS headers of a command request
EXPECTED_VERSION = "Tollgate-Expected-Version"
CORRELATION_ID = "Tollgate-Correlation-Id"
CAUSATION_ID = "Tollgate-Causation-Id"
# the client's Idempotency-Key, scoped by the API to the caller ("{actor}:{key}"), and a
# digest of the HTTP request it came with: the stage service records both with the events
IDEMPOTENCY_KEY = "Tollgate-Idempotency-Key"
REQUEST_DIGEST = "Tollgate-Request-Digest"
