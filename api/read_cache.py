"""Answers to repeated reads, kept per API process for as long as nothing has changed.

A GET on a route marked `READ_CACHED` (an initiative, the list, the portfolio) depends
only on the read models and on the clock, per second (days in stage, invested cost). While
the process's `Watch` (services/projection/watch.py) listens, the answer is kept with the
count of notifications heard and the second it was made in. It is served again, without
running the handler, to a caller whose Bearer token the token cache holds (every role
may read these routes), until a notification arrives or the second ends.

Everything else takes the whole path: a miss; a cookie, or a token not kept; `min_position`
(read your writes), `mine` (per caller) or CSV; any answer but a 200 JSON one; and every
read while the LISTEN is down. An answer that raced a notification is not kept. A read
arriving while the same answer is being made (no notification and the same second since it
began) waits for it instead of making it again.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from litestar.enums import ScopeType
from litestar.types import ASGIApp, Receive, Scope, Send

from api.auth import bearer
from api.buffered import HeldResponse
from api.deps import Deps
from services.projection.watch import watching

READ_CACHED: dict[str, Any] = {"read_cache": True}  # a route's `opt`
MAX_BYTES = 4 << 20  # the answers kept per process (all of this second's): dropped when full
MAX_ANSWER = 1 << 20  # a bigger answer is not kept
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
        self.making: dict[Key, tuple[tuple[int, int], asyncio.Future[Kept | None]]] = {}
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
        making = self.making.get(key) if kept is None else None
        if making is not None and making[0] == (heard.changes, second) and deps.tokens.kept(token):
            kept = await asyncio.shield(making[1])  # the same answer, being made now
        if kept is not None and kept.changes == heard.changes and deps.tokens.kept(token):
            await send({"type": "http.response.start", "status": 200, "headers": kept.headers})
            await send({"type": "http.response.body", "body": kept.body, "more_body": False})
            return
        await self._make(scope, receive, send, key=key, made_at=(heard.changes, second))

    async def _make(
        self, scope: Scope, receive: Receive, send: Send, *, key: Key, made_at: tuple[int, int]
    ) -> None:
        """Run the request; reads of the same key arriving meanwhile wait for its answer
        instead of running too (at 10,000 initiatives 32 lists at once took a second)."""
        (changes, second), made = made_at, asyncio.get_running_loop().create_future()
        self.making[key] = (made_at, made)
        held, answer = HeldResponse(), None
        try:
            await self.app(scope, receive, held)
            if held.status == 200 and _json_only(held.raw_headers):
                answer = Kept(changes, held.raw_headers, held.body)
        finally:
            made.set_result(answer)
            if self.making.get(key, (None, None))[1] is made:
                del self.making[key]
        heard = watching(scope["app"].state.deps.reads)
        if (
            answer is not None and len(answer.body) <= MAX_ANSWER
            and heard is not None and heard.changes == changes
            and int(time.time()) == second == self.second
        ):  # fmt: skip
            if self.size + len(answer.body) > MAX_BYTES:
                self._drop_all(second)
            self.kept[key] = answer
            self.size += len(answer.body)
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
            token = bearer(value.decode("latin-1"))
        elif name == b"accept":
            accept = value.lower()
    return token, accept
