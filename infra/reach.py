"""Whether PostgreSQL and NATS answer at a URL, said in words a person can act on.

The command line checks its servers before it works with them, so a wrong or missing
DATABASE_URL / NATS_URL is one sentence naming the URL tried, not a traceback.
"""

from __future__ import annotations

import asyncio
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import nats
import nats.errors

from infra.db import CONNECT_TIMEOUT, is_unavailable


def shown(url: str) -> str:
    """The URL without its password, fit for a message or a log."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@", 1)
    return urlunsplit(parts._replace(netloc=netloc))


def _reason(exc: BaseException) -> str:
    text = str(exc).strip()
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


async def database_problem(url: str) -> str | None:
    """None when PostgreSQL at `url` answers a query, else why not."""
    try:
        conn = await asyncpg.connect(url, timeout=CONNECT_TIMEOUT)
    except Exception as exc:
        return _reason(exc)
    try:
        await conn.fetchval("SELECT 1")
    except Exception as exc:
        return _reason(exc)
    finally:
        await conn.close()
    return None


async def broker_problem(url: str) -> str | None:
    """None when NATS at `url` accepts a connection (one try per server), else why not."""
    errors: list[BaseException] = []

    async def remember(exc: Exception) -> None:
        errors.append(exc)

    try:
        nc = await asyncio.wait_for(
            nats.connect(
                [u.strip() for u in url.split(",")],
                connect_timeout=CONNECT_TIMEOUT,
                max_reconnect_attempts=1,
                reconnect_time_wait=0.1,
                error_cb=remember,
            ),
            CONNECT_TIMEOUT * 3,
        )
    except Exception as exc:
        return _reason(errors[0] if errors else exc)
    await nc.close()
    return None


def lost_connection(exc: BaseException) -> bool:
    """Whether `exc` means PostgreSQL or NATS could not be reached or went away."""
    if isinstance(exc, nats.errors.NoServersError | nats.errors.ConnectionClosedError):
        return True
    return is_unavailable(exc)
