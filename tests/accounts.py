"""Users for tests: the session's database is shared by every test module, so a module
asking for a user another one made gets that user, brought to the role and password it
asks for, and active, with a fresh token. (Tollgate itself never resets a user: see
api.users.)"""

from __future__ import annotations

from api.users import User, UserExists, add_user, issue_token, set_password, update_user
from infra.db import Pool


async def ensure_user(
    pool: Pool, name: str, role: str, kind: str = "person", password: str | None = None
) -> tuple[User, str]:
    """The user and a new API token."""
    try:
        user, issued = await add_user(pool, name, role, kind, password, token_name="test")
    except UserExists:
        await update_user(pool, name, role=role, active=True)
        if password is not None:
            await set_password(pool, name, password)
        issued = await issue_token(pool, name, "test", 90)
        row = await pool.fetchrow(
            "SELECT user_id::text, name, role, kind FROM api.users WHERE name = $1", name
        )
        user = User(**dict(row))
    return user, issued.token
