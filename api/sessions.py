"""Page sessions, in PostgreSQL so that every API replica knows them and sign-out ends them.

The cookie holds a random token; the table keeps only its sha256. A session ends after
`idle` without a request, `absolute` after sign-in however active it is, at sign-out, or
when its user is deactivated (api.users.user_by_id finds only active users).
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from datetime import datetime, timedelta

import msgspec

from infra.db import Connection, Pool
from infra.settings import Settings


class Limits(msgspec.Struct, frozen=True, kw_only=True):
    idle: timedelta
    absolute: timedelta

    @classmethod
    def of(cls, settings: Settings) -> Limits:
        return cls(
            idle=timedelta(hours=settings.session_idle_hours),
            absolute=timedelta(days=settings.session_max_days),
        )


def _hash(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


async def start(db: Pool | Connection, user_id: str, limits: Limits, now: datetime) -> str:
    """A new session for the user; returns the cookie value. Ended sessions are swept."""
    value = secrets.token_urlsafe(32)
    await db.execute(
        "DELETE FROM api.sessions WHERE last_seen_at < $1 OR created_at < $2",
        now - limits.idle,
        now - limits.absolute,
    )
    await db.execute(
        "INSERT INTO api.sessions (session_hash, user_id, created_at, last_seen_at)"
        " VALUES ($1, $2, $3, $3)",
        _hash(value),
        uuid.UUID(user_id),
        now,
    )
    return value


async def user_id_of(pool: Pool, value: str, limits: Limits, now: datetime) -> str | None:
    """The user of a live session (which counts as activity), or None when it has ended."""
    user_id = await pool.fetchval(
        "UPDATE api.sessions SET last_seen_at = $2 WHERE session_hash = $1"
        " AND last_seen_at > $3 AND created_at > $4 RETURNING user_id",
        _hash(value),
        now,
        now - limits.idle,
        now - limits.absolute,
    )
    return str(user_id) if user_id else None


async def end(pool: Pool, value: str) -> None:
    """Sign-out: the session is gone, also for a copy of the cookie."""
    await pool.execute("DELETE FROM api.sessions WHERE session_hash = $1", _hash(value))


async def end_all(pool: Pool, user_id: str) -> None:
    """End every session of a user (a new password, a deactivation)."""
    await pool.execute("DELETE FROM api.sessions WHERE user_id = $1", uuid.UUID(user_id))
