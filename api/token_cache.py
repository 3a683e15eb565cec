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
from infra.db import Pool
from infra.listening import listen

log = logging.getLogger(__name__)
CHANNEL = "api_auth"
# seconds an answer is kept. The process that makes a change forgets before it answers; the
# other processes (API replicas, the CLI's changes) hear the NOTIFY within milliseconds of
# the commit. TOLLGATE_TOKEN_CACHE_SECONDS=0 asks the database on every request.
TTL = 5.0
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
        if (kept := self.kept(token)) is not None:
            return kept
        seen = self.changes
        user, expires_at = await token_holder(self.pool, token)
        if self.ttl > 0 and self.listening and self.changes == seen:  # no change raced it
            if len(self._kept) >= MAX_ENTRIES:
                self._kept.clear()
            self._kept[token_hash(token)] = (user, time.monotonic() + self.ttl, expires_at)
        return user

    def kept(self, token: str) -> User | None:
        """The token's user if it is kept now (no query); None otherwise."""
        kept = self._kept.get(token_hash(token))
        if kept is not None and kept[1] > time.monotonic() and kept[2] > datetime.now(UTC):
            return kept[0]
        return None

    def forget(self, *_: object) -> None:
        self._kept.clear()
        self.changes += 1
        self._changed.set()

    async def changed(self) -> None:
        """Wait for the next notification."""
        self._changed.clear()
        await self._changed.wait()

    async def run(self, stop: asyncio.Event) -> None:
        """Listen until stopped, reconnecting; nothing is kept while not listening."""
        await listen(self.dsn, CHANNEL, self.forget, stop, up=self._up, down=self._down)

    async def _up(self, _: object) -> None:
        ON_CHANGE.append(self.forget)  # changes made by this process, at once
        self.listening = True

    def _down(self) -> None:
        self.listening = False
        self.forget()
        with contextlib.suppress(ValueError):
            ON_CHANGE.remove(self.forget)
