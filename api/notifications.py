"""How a user hears of what waits in their inbox: an e-mail address and a preference,
immediate (a mail per new item), a daily digest, or off. Kept with the accounts in schema
`api`; the user sets both on the inbox page or over HTTP, an admin sets the address too.
"""

from __future__ import annotations

import re
from typing import Annotated, Literal, get_args

import msgspec

from api.users import AccountError, UnknownUser
from infra.db import Pool

Notify = Literal["immediate", "digest", "off"]
NOTIFY: tuple[str, ...] = get_args(Notify)
# one @, no spaces or control characters, a dot-free host allowed (mail.internal, localhost)
EMAIL_PATTERN = r"^[^@\s\x00-\x1f]{1,64}@[^@\s\x00-\x1f]{1,253}$"
Email = Annotated[str, msgspec.Meta(max_length=320, pattern=EMAIL_PATTERN)]
EMAIL = re.compile(EMAIL_PATTERN)


class Preferences(msgspec.Struct, frozen=True, kw_only=True):
    """`email` None: no address, so no mail (the inbox page still shows everything)."""

    name: str
    email: str | None = None
    notify: Notify = "immediate"


def checked_email(email: str) -> str | None:
    """The address as stored: None for an empty one; AccountError for a malformed one."""
    email = email.strip()
    if not email:
        return None
    if not EMAIL.match(email) or len(email) > 320:
        raise AccountError(f"{email[:80]!r} is not an e-mail address")
    return email


async def preferences(pool: Pool, name: str) -> Preferences:
    row = await pool.fetchrow("SELECT name, email, notify FROM api.users WHERE name = $1", name)
    if row is None:
        raise UnknownUser(f"no user named {name!r}")
    return msgspec.convert(dict(row), Preferences)


async def set_preferences(
    pool: Pool, name: str, *, email: str | None = None, notify: str | None = None
) -> Preferences:
    """Change what is given: `email` "" removes the address, None leaves it as it is."""
    if notify is not None and notify not in NOTIFY:
        raise AccountError(f"notify must be one of {', '.join(NOTIFY)}")
    address = checked_email(email) if email is not None else None
    row = await pool.fetchrow(
        "UPDATE api.users SET email = CASE WHEN $2 THEN $3 ELSE email END,"
        " notify = COALESCE($4, notify) WHERE name = $1 RETURNING name, email, notify",
        name,
        email is not None,
        address,
        notify,
    )
    if row is None:
        raise UnknownUser(f"no user named {name!r}")
    return msgspec.convert(dict(row), Preferences)
