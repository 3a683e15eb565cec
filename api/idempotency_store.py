"""Responses to requests that carried an Idempotency-Key, in `api.idempotency`.

`claim` inserts a row without a status: the request is being handled. `complete` stores its
response; `release` forgets the claim (a 5xx or a crash: the retry must run again). Rows
expire after RETENTION; a claim older than LEASE was left by a process that died with it
and is taken over.
"""

from __future__ import annotations

import time
from datetime import timedelta
from typing import Protocol

import msgspec

from api.buffered import Headers
from infra.db import Pool

RETENTION = timedelta(hours=24)
LEASE = timedelta(seconds=60)  # far above a command's timeout plus the read-your-write wait
PURGE_EVERY = 60.0  # seconds between deletions of expired rows, per process
_HEADERS = msgspec.json.Decoder(Headers)

_CLAIM = """
INSERT INTO api.idempotency AS i (scope_key, digest) VALUES ($1, $2)
ON CONFLICT (scope_key) DO UPDATE
    SET digest = EXCLUDED.digest, status = NULL, headers = '[]', body = NULL,
        created_at = now()
    WHERE i.created_at < now() - $3::interval
       OR (i.status IS NULL AND i.created_at < now() - $4::interval)
RETURNING scope_key
"""
_FOUND = "SELECT digest, status, headers, body FROM api.idempotency WHERE scope_key = $1"
_COMPLETE = """
UPDATE api.idempotency SET status = $2, headers = $3, body = $4
WHERE scope_key = $1 AND status IS NULL
"""
_RELEASE = "DELETE FROM api.idempotency WHERE scope_key = $1 AND status IS NULL"
_PURGE = "DELETE FROM api.idempotency WHERE created_at < now() - $1::interval"


class Stored(msgspec.Struct, frozen=True, kw_only=True):
    """What a key holds: the first request's digest and, once it finished, its response."""

    digest: str
    status: int | None  # None: the first request is still being handled
    headers: Headers = []
    body: bytes = b""


class ResponseStore(Protocol):
    async def claim(self, key: str, digest: str) -> Stored | None:
        """None if this request now holds the key; else what the key already holds."""

    async def complete(self, key: str, status: int, headers: Headers, body: bytes) -> None: ...

    async def release(self, key: str) -> None: ...


class PgResponseStore:
    """The store in PostgreSQL; expired rows are deleted at most once a minute."""

    def __init__(self, pool: Pool) -> None:
        self.pool = pool
        self.next_purge = 0.0

    async def claim(self, key: str, digest: str) -> Stored | None:
        await self._purge()
        for _ in range(3):  # the row may be released between the insert and the select
            if await self.pool.fetchval(_CLAIM, key, digest, RETENTION, LEASE) is not None:
                return None
            row = await self.pool.fetchrow(_FOUND, key)
            if row is not None:
                return Stored(
                    digest=row["digest"], status=row["status"],
                    headers=_HEADERS.decode(row["headers"]), body=row["body"] or b"",
                )  # fmt: skip
        raise RuntimeError(f"the idempotency key {key!r} is being claimed and released")

    async def complete(self, key: str, status: int, headers: Headers, body: bytes) -> None:
        await self.pool.execute(_COMPLETE, key, status, headers, body)

    async def release(self, key: str) -> None:
        await self.pool.execute(_RELEASE, key)

    async def _purge(self) -> None:
        if time.monotonic() >= self.next_purge:
            self.next_purge = time.monotonic() + PURGE_EVERY
            await self.pool.execute(_PURGE, RETENTION)
