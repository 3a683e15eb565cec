"""Users (people and AI agents) in schema `api`: a role, whether they are active, and a
password for the pages (api.passwords). Their tokens are in api.tokens.

The user's name is the actor id recorded on every event they cause, so it must be an
event-id-safe word (letters, digits, `_.:-`). A user is created once; their role, password
and active flag change only by an explicit command (`tollgate users ...`, /api/v1/users),
never as a side effect of starting Tollgate. The last active admin cannot be demoted or
deactivated, so an instance always has someone who can manage it.
"""

from __future__ import annotations

import re
import uuid
from datetime import datetime
from typing import Any, get_args

import msgspec

from api import sessions
from api.passwords import no_user_hash, password_hash, password_matches, password_problem
from api.tokens import Issued, changed, issue, token_hash
from events.base import SYSTEM, Actor, Role, UserKind
from infra.db import Connection, Pool

NAME = re.compile(r"^[A-Za-z0-9_.:-]{1,64}$")
ROLES: tuple[Role, ...] = ("viewer", "contributor", "owner", "committee", "admin")
RESERVED = f"the name {SYSTEM.id!r} is Tollgate's own, for its automatic handoffs"
TOKEN_DAYS = 90
_ACCOUNT = "name, role, kind, active, created_at, email"


class AccountError(ValueError):
    """A refused change to the users; the message says why."""


class UserExists(AccountError):
    pass


class UnknownUser(AccountError):
    pass


class LastAdmin(AccountError):
    pass


class TokenRefused(Exception):
    """A token that signs nobody in; the message says why (unknown, revoked, expired, or
    its user deactivated)."""


class User(msgspec.Struct, frozen=True, kw_only=True):
    """The signed-in user (only active users sign in)."""

    user_id: str
    name: str
    role: Role
    kind: UserKind = "person"

    @property
    def actor(self) -> Actor:
        return Actor(id=self.name, name=self.name, kind=self.kind, roles=(self.role,))


class Account(msgspec.Struct, frozen=True, kw_only=True):
    """A user as the admins see them."""

    name: str
    role: Role
    kind: UserKind
    active: bool
    created_at: datetime
    email: str | None = None  # for notifications (api.notifications)


def checked_password(password: str) -> str:
    if problem := password_problem(password):
        raise AccountError(problem)
    return password


async def add_user(
    pool: Pool,
    name: str,
    role: str,
    kind: str = "person",
    password: str | None = None,
    *,
    token_name: str = "first token",
    token_days: int = TOKEN_DAYS,
) -> tuple[User, Issued]:
    """Create a user with a first token; UserExists when the name is taken (nothing changes)."""
    if not NAME.match(name):
        raise AccountError(f"user name {name!r}: use 1-64 letters, digits or _.:-")
    if name == SYSTEM.id:
        raise AccountError(RESERVED)
    if role not in ROLES or kind not in get_args(UserKind):
        raise AccountError(f"role must be one of {', '.join(ROLES)}; kind person or agent")
    hashed = password_hash(checked_password(password)) if password is not None else None
    async with pool.acquire() as conn, conn.transaction():
        row = await conn.fetchrow(
            "INSERT INTO api.users (user_id, name, role, kind, password_hash)"
            " VALUES ($1, $2, $3, $4, $5) ON CONFLICT (name) DO NOTHING"
            " RETURNING user_id, name, role, kind",
            uuid.uuid4(),
            name,
            role,
            kind,
            hashed,
        )
        if row is None:
            raise UserExists(f"a user named {name!r} exists already")
        user = _user(dict(row))
        issued = await issue(conn, user.user_id, token_name, token_days)
    changed()  # this process's caches forget at once (others by NOTIFY): api/names.py
    return user, issued


async def issue_token(pool: Pool, name: str, token_name: str, days: int) -> Issued:
    """A new token for an active user."""
    row = await pool.fetchrow("SELECT user_id, active FROM api.users WHERE name = $1", name)
    if row is None:
        raise UnknownUser(f"no user named {name!r}")
    if not row["active"]:
        raise AccountError(f"{name} is deactivated; activate them first")
    return await issue(pool, str(row["user_id"]), token_name, days)


async def update_user(
    pool: Pool, name: str, *, role: str | None = None, active: bool | None = None
) -> Account:
    """Change a user's role and/or active flag, never leaving the instance without an
    active admin."""
    if role is not None and role not in ROLES:
        raise AccountError(f"role must be one of {', '.join(ROLES)}")
    async with pool.acquire() as conn, conn.transaction():
        await conn.execute("SELECT pg_advisory_xact_lock(hashtext('api.users:admins'))")
        before = await conn.fetchrow("SELECT role, active FROM api.users WHERE name = $1", name)
        if before is None:
            raise UnknownUser(f"no user named {name!r}")
        row = await conn.fetchrow(
            "UPDATE api.users SET role = COALESCE($2, role), active = COALESCE($3, active)"
            f" WHERE name = $1 RETURNING {_ACCOUNT}",
            name,
            role,
            active,
        )
        assert row is not None
        if before["role"] == "admin" and before["active"] and not await _has_admin(conn):
            raise LastAdmin(f"{name} is the last active admin; make another admin first")
    changed()  # this process's token cache forgets at once (others by NOTIFY)
    return msgspec.convert(dict(row), Account)


async def _has_admin(conn: Connection) -> bool:
    found = await conn.fetchval(
        "SELECT EXISTS (SELECT 1 FROM api.users WHERE role = 'admin' AND active)"
    )
    return bool(found)


async def set_password(pool: Pool, name: str, password: str) -> None:
    hashed = password_hash(checked_password(password))
    user_id = await pool.fetchval(
        "UPDATE api.users SET password_hash = $2 WHERE name = $1 RETURNING user_id::text",
        name,
        hashed,
    )
    if not user_id:
        raise UnknownUser(f"no user named {name!r}")
    await sessions.end_all(pool, user_id)  # a new password signs every browser out


async def account(pool: Pool, name: str) -> Account | None:
    row = await pool.fetchrow(f"SELECT {_ACCOUNT} FROM api.users WHERE name = $1", name)
    return msgspec.convert(dict(row), Account) if row else None


async def list_users(pool: Pool) -> list[Account]:
    rows = await pool.fetch(f"SELECT {_ACCOUNT} FROM api.users ORDER BY name")
    return [msgspec.convert(dict(r), Account) for r in rows]


async def user_for_token(pool: Pool, token: str) -> User:
    """The active user holding a valid token; TokenRefused otherwise. Marks the token used,
    at most once a minute, so a busy client costs no write per request."""
    return (await token_holder(pool, token))[0]


async def token_holder(pool: Pool, token: str) -> tuple[User, datetime]:
    """As user_for_token, with the time the token expires (api.token_cache keeps it so long
    at most)."""
    row = await pool.fetchrow(
        "SELECT u.user_id, u.name, u.role, u.kind, t.token_id, t.expires_at, CASE"
        " WHEN t.revoked_at IS NOT NULL THEN 'the token was revoked'"
        " WHEN t.expires_at <= now() THEN 'the token has expired'"
        " WHEN NOT u.active THEN 'the token''s user is deactivated' END AS refused,"
        " t.last_used_at IS NULL OR t.last_used_at < now() - interval '1 minute' AS stale"
        " FROM api.tokens t JOIN api.users u USING (user_id) WHERE t.token_hash = $1",
        token_hash(token),
    )
    if row is None:
        raise TokenRefused("the token is not valid")
    if row["refused"]:
        raise TokenRefused(row["refused"])
    if row["stale"]:
        await pool.execute(
            "UPDATE api.tokens SET last_used_at = now() WHERE token_id = $1", row["token_id"]
        )
    return _user({k: row[k] for k in ("user_id", "name", "role", "kind")}), row["expires_at"]


async def user_by_id(pool: Pool, user_id: str) -> User | None:
    """The user a session names, while they are active."""
    try:
        key = uuid.UUID(user_id)
    except ValueError:
        return None
    row = await pool.fetchrow(
        "SELECT user_id, name, role, kind FROM api.users WHERE user_id = $1 AND active", key
    )
    return _user(dict(row)) if row else None


async def check_password(pool: Pool, name: str, password: str) -> User | None:
    """The active user when the password is right (for the pages' sign-in), else None."""
    row = await pool.fetchrow(
        "SELECT user_id, name, role, kind, password_hash FROM api.users WHERE name = $1 AND active",
        name,
    )
    if row is None or not row["password_hash"]:
        # the same scrypt work as for a known name, so timing does not tell which names exist
        password_matches(password, no_user_hash())
        return None
    if not password_matches(password, row["password_hash"]):
        return None
    return _user({k: row[k] for k in ("user_id", "name", "role", "kind")})


def _user(row: dict[str, Any]) -> User:
    return msgspec.convert({**row, "user_id": str(row["user_id"])}, User)
