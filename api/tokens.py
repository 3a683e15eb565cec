"""API tokens: shown once and stored as their sha256, each with a name, an expiry and the
time it was last used.

A token stops working at its next request when it is revoked, when it has expired, or when
its user is deactivated (`api.users.user_for_token` checks all three on every request).
"""

from __future__ import annotations

import hashlib
import re
import secrets
import uuid
from collections.abc import Callable
from datetime import datetime
from typing import Any, Literal

import msgspec

from infra.db import Connection, Pool

MAX_DAYS = 3650
TOKEN_NAME = re.compile(r"^[^\x00-\x1f\x7f]{1,100}$")
TokenState = Literal["active", "expired", "revoked"]
_COLUMNS = (
    't.token_id::text, u.name AS "user", t.name, t.created_at, t.expires_at,'
    " t.last_used_at, t.revoked_at, CASE WHEN t.revoked_at IS NOT NULL THEN 'revoked'"
    " WHEN t.expires_at <= now() THEN 'expired' ELSE 'active' END AS state"
)


class Token(msgspec.Struct, frozen=True, kw_only=True):
    """What may be shown of a token: never the token itself."""

    token_id: str
    user: str
    name: str
    created_at: datetime
    expires_at: datetime
    last_used_at: datetime | None = None
    revoked_at: datetime | None = None
    state: TokenState


class Issued(msgspec.Struct, frozen=True, kw_only=True):
    """A new token: its details and, this once, the token itself."""

    token: str
    info: Token


# Called after a change that can refuse a token, in the process that made it (api.token_cache
# forgets what it kept at once; other processes hear of it by NOTIFY, api/006).
ON_CHANGE: list[Callable[[], None]] = []


def changed() -> None:
    for callback in list(ON_CHANGE):
        callback()


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def checked(name: str, days: int) -> tuple[str, int]:
    """A token's name and lifetime, or ValueError saying what is wrong."""
    name = name.strip()
    if not TOKEN_NAME.match(name):
        raise ValueError("token name: use 1-100 characters, no control characters")
    if not 1 <= days <= MAX_DAYS:
        raise ValueError(f"token lifetime: use 1 to {MAX_DAYS} days")
    return name, days


async def issue(db: Connection | Pool, user_id: str, name: str, days: int) -> Issued:
    """A new token for the user, valid for `days`."""
    name, days = checked(name, days)
    token = "tg_" + secrets.token_urlsafe(32)
    row = await db.fetchrow(
        "WITH t AS (INSERT INTO api.tokens (token_hash, user_id, token_id, name, expires_at)"
        " VALUES ($1, $2, $3, $4, now() + make_interval(days => $5)) RETURNING *)"
        f" SELECT {_COLUMNS} FROM t JOIN api.users u USING (user_id)",
        token_hash(token),
        uuid.UUID(user_id),
        uuid.uuid4(),
        name,
        days,
    )
    assert row is not None
    return Issued(token=token, info=_token(dict(row)))


async def list_tokens(pool: Pool, user: str | None = None) -> list[Token]:
    """Every token (or one user's), newest first; revoked and expired ones included."""
    rows = await pool.fetch(
        f"SELECT {_COLUMNS} FROM api.tokens t JOIN api.users u USING (user_id)"
        " WHERE $1::text IS NULL OR u.name = $1 ORDER BY t.created_at DESC, t.token_id",
        user,
    )
    return [_token(dict(r)) for r in rows]


async def revoke(pool: Pool, token_id: str, user_id: str | None = None) -> Token | None:
    """Revoke a token (again is harmless); with `user_id`, only one of that user's.
    None when there is no such token."""
    try:
        key = uuid.UUID(token_id)
        owner = uuid.UUID(user_id) if user_id else None
    except ValueError:
        return None
    row = await pool.fetchrow(
        "WITH t AS (UPDATE api.tokens SET revoked_at = COALESCE(revoked_at, now())"
        " WHERE token_id = $1 AND ($2::uuid IS NULL OR user_id = $2) RETURNING *)"
        f" SELECT {_COLUMNS} FROM t JOIN api.users u USING (user_id)",
        key,
        owner,
    )
    changed()
    return _token(dict(row)) if row else None


def _token(row: dict[str, Any]) -> Token:
    return msgspec.convert(row, Token)
