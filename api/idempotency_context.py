"""The Idempotency-Key of the request being handled, for the command it sends.

The HTTP layer sets it (scoped to the caller, with a digest of the request); `dispatch.send`
puts both on the NATS command request, where the stage service records them with the
events in the same transaction.
"""

from __future__ import annotations

from contextvars import ContextVar

import msgspec


class IdempotentRequest(msgspec.Struct, frozen=True):
    key: str  # "{actor id}:{client key}"
    digest: str  # hex digest of method, path and body


CURRENT: ContextVar[IdempotentRequest | None] = ContextVar("idempotent_request", default=None)
