"""Idempotency-Key on every POST and PATCH, after the IETF httpapi Idempotency-Key draft.

A request that carries the header (or, from a page's form, the hidden `_idempotency_key`
field) is scoped to its caller, "{actor id}:{key}", and identified by the sha256 of its
method, path, query and body:
- a key seen before with the same digest gets the stored response again, marked
  `Idempotent-Replayed: true`; nothing is sent to a service;
- a key seen before with another digest is a 422;
- a key whose first request is still running is a 409 on the API; a page waits for that
  response instead, so a double submit shows the first outcome;
- otherwise the request runs with `CURRENT` set, so its command takes the key to the stage
  service, which records it with the events. A response below 500 is stored (for 24 h); a
  5xx or a timeout is not, so the retry runs again and the stage service's record keeps it
  from applying the command twice.
Anonymous requests (signing in) are not tracked.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import re
import time
from collections.abc import Callable
from urllib.parse import parse_qsl

from litestar.enums import ScopeType
from litestar.exceptions import HTTPException
from litestar.types import ASGIApp, HTTPScope, Receive, Scope, Send

from api.auth import API_PREFIX
from api.buffered import HeldResponse, read_body, replaying, send_response
from api.deps import Deps
from api.idempotency_context import CURRENT, IdempotentRequest
from api.idempotency_store import PgResponseStore, ResponseStore, Stored
from api.users import User

log = logging.getLogger(__name__)
FORM_FIELD = "_idempotency_key"
METHODS = frozenset({"POST", "PATCH"})
MAX_REQUEST_BYTES = 1 << 20
MAX_STORED_BYTES = 256 << 10  # a bigger response is not stored: its retry runs again
PAGE_WAIT = 15.0  # how long a page's repeat waits for the first request's response
REPLAYED = ("idempotent-replayed", "true")
_KEY = re.compile(r"[\x20-\x7e]{1,255}")
_FORM = b"application/x-www-form-urlencoded"


class IdempotencyError(HTTPException):
    """A request whose Idempotency-Key cannot be honoured."""


class InvalidKey(IdempotencyError):
    status_code = 400


class KeyReused(IdempotencyError):
    status_code = 422


class KeyInFlight(IdempotencyError):
    status_code = 409


def client_key(raw: str) -> str:
    """The key as sent: a structured-field string ("...") or bare; 1-255 printable ASCII."""
    if len(raw) >= 2 and raw[0] == raw[-1] == '"':
        raw = raw[1:-1].replace('\\"', '"').replace("\\\\", "\\")
    if not _KEY.fullmatch(raw):
        raise InvalidKey("the Idempotency-Key must be 1 to 255 printable ASCII characters")
    return raw


def request_digest(method: str, path: str, query: bytes, body: bytes) -> str:
    """sha256 of the request's parts, each length-prefixed so no two requests share one."""
    digest = hashlib.sha256()
    for part in (method.encode(), path.encode(), query, body):
        digest.update(len(part).to_bytes(8, "big") + part)
    return digest.hexdigest()


def sent_key(headers: dict[bytes, bytes], body: bytes) -> str | None:
    """The header, or for a urlencoded form without it, the hidden form field."""
    if (raw := headers.get(b"idempotency-key")) is not None:
        return client_key(raw.decode("latin-1"))
    if headers.get(b"content-type", b"").startswith(_FORM):
        fields = parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True)
        for name, value in fields:
            if name == FORM_FIELD:
                return client_key(value)
    return None


def pg_store(scope: HTTPScope) -> ResponseStore:
    deps = scope["app"].state.deps
    assert isinstance(deps, Deps)
    return PgResponseStore(deps.pool)


class IdempotencyMiddleware:
    """Replays, refuses, or runs and stores a keyed request (see the module's docstring)."""

    def __init__(
        self, app: ASGIApp, store: Callable[[HTTPScope], ResponseStore] = pg_store
    ) -> None:
        self.app, self.store_of = app, store
        self.store: tuple[object, ResponseStore] | None = None  # (the app, its store)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        user = scope.get("user")
        if scope["type"] != ScopeType.HTTP or not isinstance(user, User) or not _keyable(scope):
            await self.app(scope, receive, send)
            return
        body = await read_body(receive, MAX_REQUEST_BYTES)
        key = sent_key(dict(scope["headers"]), body)
        if key is None:
            await self.app(scope, replaying(body, receive), send)
            return
        digest = request_digest(scope["method"], scope["path"], scope["query_string"], body)
        request = IdempotentRequest(key=f"{user.actor.id}:{key}", digest=digest)
        await self._once(scope, replaying(body, receive), send, request)

    async def _once(
        self, scope: HTTPScope, receive: Receive, send: Send, request: IdempotentRequest
    ) -> None:
        """Replay the key's response, or run the request and store its response."""
        store = self._store(scope)
        wait = 0.0 if scope["path"].startswith(API_PREFIX) else PAGE_WAIT
        if (found := await _claim(store, request, wait)) is not None:
            await send_response(send, found.status or 200, [*found.headers, REPLAYED], found.body)
            return
        response = HeldResponse()
        token = CURRENT.set(request)
        try:
            await self.app(scope, receive, response)
        except BaseException:
            await store.release(request.key)
            raise
        finally:
            CURRENT.reset(token)
        await _keep(store, request.key, response)
        await response.release_to(send)

    def _store(self, scope: HTTPScope) -> ResponseStore:
        """One store (and purge clock) per app, made on its first keyed request."""
        if self.store is None or self.store[0] is not scope["app"]:
            self.store = (scope["app"], self.store_of(scope))
        return self.store[1]


def _keyable(scope: HTTPScope) -> bool:
    """A POST or PATCH with the header, or a form that may hold the hidden field."""
    if scope["method"] not in METHODS:
        return False
    headers = dict(scope["headers"])
    return b"idempotency-key" in headers or headers.get(b"content-type", b"").startswith(_FORM)


async def _claim(store: ResponseStore, request: IdempotentRequest, wait: float) -> Stored | None:
    """None when this request holds the key now; the first response when it has one."""
    deadline, delay = time.monotonic() + wait, 0.02
    while True:
        found = await store.claim(request.key, request.digest)
        if found is None:
            return None
        if found.digest != request.digest:
            raise KeyReused(
                "this Idempotency-Key was first used with another request (method, path or"
                " body); send a new key with a new request"
            )
        if found.status is not None:
            return found
        if time.monotonic() + delay > deadline:
            raise KeyInFlight(
                "a request with this Idempotency-Key is still being handled; retry with the"
                " same key once it has finished",
                headers={"Retry-After": "1"},
            )
        await asyncio.sleep(delay)
        delay = min(delay * 2, 0.5)


async def _keep(store: ResponseStore, key: str, response: HeldResponse) -> None:
    """Store a finished response below 500 (but a 429); release the key for anything else,
    and for a response marked `Cache-Control: no-store` (a new token is shown once, never
    kept: its retry runs again)."""
    status, body = response.status, response.body
    secret = any(n == "cache-control" and "no-store" in v for n, v in response.headers)
    try:
        if status < 500 and status != 429 and len(body) <= MAX_STORED_BYTES and not secret:
            await store.complete(key, status, response.headers, body)
        else:
            await store.release(key)
    except Exception:  # the command ran: its answer still goes out; a retry finds the claim
        log.exception("could not store the response for idempotency key %r", key)
