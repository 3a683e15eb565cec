"""Users of the API and their tokens, in schema `api`.

A token is shown once and stored as its sha256; a password (for the pages) as scrypt.
The user's name is the actor id recorded on every event they cause, so it must be
an event-id-safe word (letters, digits, `_.:-`).
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import sys
import uuid
from typing import get_args

import msgspec

from events.base import SYSTEM, Actor, Role, UserKind
from infra.db import Pool, connect, create_pool
from infra.migrations import migrate
from infra.settings import Settings

NAME = re.compile(r"^[A-Za-z0-9_.:-]{1,64}$")
ROLES: tuple[Role, ...] = ("viewer", "contributor", "owner", "committee", "admin")
RESERVED = f"the name {SYSTEM.id!r} is Tollgate's own, for its automatic handoffs"


class User(msgspec.Struct, frozen=True, kw_only=True):
    user_id: str
    name: str
    role: Role
    kind: UserKind = "person"

    @property
    def actor(self) -> Actor:
        return Actor(id=self.name, name=self.name, kind=self.kind, roles=(self.role,))


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def password_hash(password: str, salt: bytes | None = None) -> str:
    salt = salt or secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, n=2**14, r=8, p=1)
    return f"scrypt${salt.hex()}${digest.hex()}"


def password_matches(password: str, stored: str) -> bool:
    try:
        _, salt, _ = stored.split("$")
        expected = password_hash(password, bytes.fromhex(salt))
    except ValueError:
        return False
    return hmac.compare_digest(expected, stored)


async def add_user(
    pool: Pool, name: str, role: str, kind: str = "person", password: str | None = None
) -> tuple[User, str]:
    """Create a user (or give an existing one a new token); returns the user and the token."""
    if not NAME.match(name):
        raise ValueError(f"user name {name!r}: use 1-64 letters, digits or _.:-")
    if name == SYSTEM.id:
        raise ValueError(RESERVED)
    if role not in ROLES or kind not in get_args(UserKind):
        raise ValueError(f"role must be one of {', '.join(ROLES)}; kind person or agent")
    token = "tg_" + secrets.token_urlsafe(32)
    async with pool.acquire() as conn, conn.transaction():
        row = await conn.fetchrow(
            "INSERT INTO api.users (user_id, name, role, kind, password_hash)"
            " VALUES ($1, $2, $3, $4, $5) ON CONFLICT (name) DO UPDATE SET role = $3,"
            " kind = $4, password_hash = COALESCE($5, api.users.password_hash)"
            " RETURNING user_id, name, role, kind",
            uuid.uuid4(), name, role, kind, password_hash(password) if password else None,
        )  # fmt: skip
        assert row is not None
        await conn.execute(
            "INSERT INTO api.tokens (token_hash, user_id) VALUES ($1, $2)",
            token_hash(token), row["user_id"],
        )  # fmt: skip
    return _user(dict(row)), token


async def user_for_token(pool: Pool, token: str) -> User | None:
    row = await pool.fetchrow(
        "SELECT u.user_id, u.name, u.role, u.kind FROM api.tokens t JOIN api.users u"
        " USING (user_id) WHERE t.token_hash = $1 AND t.revoked_at IS NULL",
        token_hash(token),
    )  # fmt: skip
    return _user(dict(row)) if row else None


async def list_users(pool: Pool) -> list[User]:
    rows = await pool.fetch("SELECT user_id, name, role, kind FROM api.users ORDER BY name")
    return [_user(dict(r)) for r in rows]


async def user_by_id(pool: Pool, user_id: str) -> User | None:
    try:
        key = uuid.UUID(user_id)
    except ValueError:
        return None
    row = await pool.fetchrow(
        "SELECT user_id, name, role, kind FROM api.users WHERE user_id = $1", key
    )
    return _user(dict(row)) if row else None


async def check_password(pool: Pool, name: str, password: str) -> User | None:
    """The user when the password is right (for the pages' sign-in), else None."""
    row = await pool.fetchrow(
        "SELECT user_id, name, role, kind, password_hash FROM api.users WHERE name = $1", name
    )
    if row is None or not row["password_hash"]:
        return None
    if not password_matches(password, row["password_hash"]):
        return None
    return _user({k: row[k] for k in ("user_id", "name", "role", "kind")})


def _user(row: dict[str, object]) -> User:
    return msgspec.convert({**row, "user_id": str(row["user_id"])}, User)


async def add_user_cli(
    settings: Settings, name: str, role: str, kind: str, password: str | None
) -> int:
    """`tollgate users add`: prints the token, which is not stored and not shown again."""
    conn = await connect(settings.database_url)
    try:
        await migrate(conn, "api", "api")
    finally:
        await conn.close()
    pool = await create_pool(settings.database_url, max_size=2)
    try:
        user, token = await add_user(pool, name, role, kind, password)
    except ValueError as exc:
        print(f"tollgate users add: {exc}", file=sys.stderr)
        return 2
    finally:
        await pool.close()
    print(f"user {user.name} ({user.role}, {user.kind}); API token (shown once):")
    print(token)
    return 0
