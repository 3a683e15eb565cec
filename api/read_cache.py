"""Answers to repeated reads, kept per API process for as long as nothing has changed.

A GET on a route marked `READ_CACHED` (an initiative, the list, the portfolio) depends
only on the read models and on the clock, per second (days in stage, invested cost). While
the process's `Watch` (services/projection/watch.py) listens, the answer is kept with the
count of notifications heard and the second it was made in. It is served again, without
running the handler, to a caller whose Bearer token the token cache holds (every role
may read these routes), until a notification arrives or the second ends.

Everything else takes the whole path: a miss; a cookie, or a token not kept; `min_position`
(read your writes), `mine` (per caller) or CSV; any answer but a 200 JSON one; and every
read while the LISTEN is down. An answer that raced a notification is not kept.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from litestar.enums import ScopeType
from litestar.types import ASGIApp, Receive, Scope, Send

from api.buffered import HeldResponse
from api.deps import Deps
from services.projection.watch import watching

READ_CACHED: dict[str, Any] = {"read_cache": True}  # a route's `opt`
MAX_BYTES = 4 << 20  # the answers kept per process (all of this second's): dropped when full
_PER_CALLER = (b"min_position", b"mine", b"format")
Key = tuple[str, bytes, bytes]  # path, query string, Accept


@dataclass(frozen=True, slots=True)
class Kept:
    changes: int  # the watch's notification count when the answer was made
    headers: list[tuple[bytes, bytes]]
    body: bytes


class ReadCacheMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.kept: dict[Key, Kept] = {}  # answers made in `second`
        self.second = 0
        self.size = 0  # bytes kept

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        handler = scope.get("route_handler")
        if (
            scope["type"] != ScopeType.HTTP or scope["method"] != "GET"
            or handler is None or not handler.opt.get("read_cache")
            or any(name in scope["query_string"] for name in _PER_CALLER)
        ):  # fmt: skip
            await self.app(scope, receive, send)
            return
        deps: Deps = scope["app"].state.deps
        heard = watching(deps.reads)
        token, accept = _bearer_and_accept(scope["headers"])
        if heard is None or deps.tokens is None or token is None or b"csv" in accept:
            await self.app(scope, receive, send)
            return
        if (second := int(time.time())) != self.second:
            self._drop_all(second)
        key = (scope["path"], scope["query_string"], accept)
        kept = self.kept.get(key)
        if kept is not None and kept.changes == heard.changes and deps.tokens.kept(token):
            await send({"type": "http.response.start", "status": 200, "headers": kept.headers})
            await send({"type": "http.response.body", "body": kept.body, "more_body": False})
            return
        changes, held = heard.changes, HeldResponse()
        await self.app(scope, receive, held)
        body = held.body
        if (
            held.status == 200 and _json_only(held.raw_headers)
            and heard.listening and heard.changes == changes and int(time.time()) == second
        ):  # fmt: skip
            if self.size + len(body) > MAX_BYTES:
                self._drop_all(second)
            self.kept[key] = Kept(changes, held.raw_headers, body)
            self.size += len(body)
        await held.release_to(send)

    def _drop_all(self, second: int) -> None:
        self.kept.clear()
        self.second, self.size = second, 0


def _json_only(headers: list[tuple[bytes, bytes]]) -> bool:
    """A JSON answer setting no cookie: the same for every caller."""
    found = dict(headers)
    return b"set-cookie" not in found and found.get(b"content-type") == b"application/json"


def _bearer_and_accept(headers: Iterable[tuple[bytes, bytes]]) -> tuple[str | None, bytes]:
    """The Bearer token (None without one) and the Accept header (lower case)."""
    token, accept = None, b""
    for name, value in headers:
        if name == b"authorization":
            scheme, _, rest = value.partition(b" ")
            if scheme.lower() == b"bearer" and rest.strip():
                token = rest.strip().decode("latin-1")
        elif name == b"accept":
            accept = value.lower()
    return token, accept
