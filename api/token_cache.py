"""Token -> user, kept for a few seconds per API process: a read request then costs no
query for its token.

Revocation is honoured at once, not after the TTL: every change that can refuse a token
(revoked, its user deactivated or re-roled, ...) NOTIFYs `api_auth` (migration
api/006), and each process drops everything it kept. While the listening connection is
down nothing is kept, so a missed notification can never serve a stale answer; an entry
also never outlives its token's expiry.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from datetime import UTC, datetime

from api.tokens import ON_CHANGE, token_hash
from api.users import User, token_holder
from infra.db import Pool, connect

log = logging.getLogger(__name__)
CHANNEL = "api_auth"
# seconds an answer is kept. Off in the API: a NOTIFY arrives a moment after its commit, so a
# request right after a revocation could still pass, and a revoked token must fail at its
# next request (issue 11). Kept for a deployment that accepts that window.
TTL = 0.0
MAX_ENTRIES = 10_000


class TokenCache:
    def __init__(self, pool: Pool, dsn: str, ttl: float = TTL) -> None:
        self.pool = pool
        self.dsn = dsn
        self.ttl = ttl
        self.listening = False
        self.changes = 0  # notifications seen (tests wait on it)
        self._kept: dict[str, tuple[User, float, datetime]] = {}
        self._changed = asyncio.Event()

    async def user(self, token: str) -> User:
        """The token's active user; TokenRefused as user_for_token raises it."""
        key = token_hash(token)
        kept = self._kept.get(key)
        if kept is not None and kept[1] > time.monotonic() and kept[2] > datetime.now(UTC):
            return kept[0]
        seen = self.changes
        user, expires_at = await token_holder(self.pool, token)
        if self.ttl > 0 and self.listening and self.changes == seen:  # no change raced it
            if len(self._kept) >= MAX_ENTRIES:
                self._kept.clear()
            self._kept[key] = (user, time.monotonic() + self.ttl, expires_at)
        return user

    def forget(self, *_: object) -> None:
        self._kept.clear()
        self.changes += 1
        self._changed.set()

    def _lost(self, *_: object) -> None:
        self.listening = False
        self.forget()

    async def changed(self) -> None:
        """Wait for the next notification."""
        self._changed.clear()
        await self._changed.wait()

    async def run(self, stop: asyncio.Event) -> None:
        """Listen until stopped, reconnecting; nothing is kept while not listening."""
        while not stop.is_set():
            try:
                conn = await connect(self.dsn)
            except Exception as exc:
                log.warning("token cache: %r; answering from the database", exc)
            else:
                try:
                    await conn.add_listener(CHANNEL, self.forget)
                    conn.add_termination_listener(self._lost)
                    ON_CHANGE.append(self.forget)  # changes made by this process, at once
                    self.listening = True
                    while not stop.is_set() and not conn.is_closed():
                        with contextlib.suppress(TimeoutError):
                            await asyncio.wait_for(stop.wait(), 1.0)
                finally:
                    self.listening = False
                    self._kept.clear()
                    with contextlib.suppress(ValueError):
                        ON_CHANGE.remove(self.forget)
                    with contextlib.suppress(Exception):
                        await conn.close()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), 1.0)
