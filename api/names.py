"""Accounts by name, kept for a few seconds per API process: a proposal names its owner (and
team), and resolving them asked the database on every command (a sixth of the API's CPU
per proposal).

Only names that were found are kept: a name not found is asked again, so a user created a
moment ago on another replica is found at once. What is kept is dropped whenever anything
about users changes, by the same notifications as the token cache (api/token_cache.py: a
user added, renamed, re-kinded, deactivated or deleted NOTIFYs `api_auth`), and nothing is
kept while that cache is not listening or its TTL is 0.

A name is kept under the database's own `lower(name)`, the value the query compares, not
Python's `str.lower()`: the two differ beyond ASCII (a final sigma), and a name kept under
a key the query would not match would resolve from memory but not from the database.
"""

from __future__ import annotations

import time
from collections.abc import Iterable

from api.token_cache import MAX_ENTRIES, TokenCache
from infra.db import Pool

Account = tuple[str, str]  # (user name, kind)
SQL = "SELECT name, kind, lower(name) AS folded FROM api.users WHERE lower(name) = ANY($1)"


class Names:
    def __init__(self, pool: Pool, tokens: TokenCache | None) -> None:
        self.pool = pool
        self.tokens = tokens  # None: ask every time (tests without the background listener)
        self._kept: dict[str, tuple[tuple[Account, ...], float]] = {}  # until (monotonic)
        self._seen = 0  # the token cache's count of changes when what is kept was read

    async def accounts(self, names: Iterable[str]) -> list[Account]:
        """The users whose name equals one of `names` ignoring case: every user a name could
        resolve to, and no other."""
        if not self._keeping(self._seen):
            self._kept.clear()  # a change since, or no longer listening: all of it is stale
        found: list[Account] = []
        missing = []
        now = time.monotonic()
        for key in sorted({n.strip().lower() for n in names}):
            kept = self._kept.get(key)
            if kept is not None and kept[1] > now:
                found.extend(kept[0])
            else:
                missing.append(key)
        if not missing:
            return found
        seen = self.tokens.changes if self.tokens is not None else 0
        by_key: dict[str, list[Account]] = {}
        for row in await self.pool.fetch(SQL, missing):
            by_key.setdefault(row["folded"], []).append((row["name"], row["kind"]))
        for accounts in by_key.values():
            found.extend(accounts)
        if self.tokens is not None and self._keeping(seen):  # no change raced the query
            if self._seen != seen or len(self._kept) + len(by_key) > MAX_ENTRIES:
                self._kept.clear()
            self._seen, until = seen, time.monotonic() + self.tokens.ttl
            for key, accounts in by_key.items():
                self._kept[key] = (tuple(accounts), until)
        return found

    def _keeping(self, seen: int) -> bool:
        """Whether answers read when the count of changes was `seen` may be kept (or used)."""
        tokens = self.tokens
        return tokens is not None and tokens.ttl > 0 and tokens.listening and tokens.changes == seen
