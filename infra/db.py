"""asyncpg pools with JSONB kept as raw JSON bytes (decoded by typed msgspec decoders), and
what counts as the database being unreachable.

Connecting and waiting for a pooled connection are bounded (CONNECT_TIMEOUT,
ACQUIRE_TIMEOUT): with the database gone a request fails within seconds instead of
queueing behind connections that will never come back.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from types import TracebackType
from typing import TYPE_CHECKING, Any, TypeAlias

import asyncpg
import msgspec
from asyncpg import exceptions as pg

Pool = asyncpg.Pool
if TYPE_CHECKING:  # a pooled connection is a proxy; both work wherever a Connection is taken
    from asyncpg.pool import PoolAcquireContext, PoolConnectionProxy

    Connection: TypeAlias = asyncpg.Connection[Any] | PoolConnectionProxy[Any]
    _PoolBase: TypeAlias = asyncpg.Pool[asyncpg.Record]
else:
    Connection = asyncpg.Connection
    _PoolBase = asyncpg.Pool

CONNECT_TIMEOUT = 2.0
ACQUIRE_TIMEOUT = 2.0


class DatabaseUnavailable(Exception):
    """PostgreSQL refused, timed out or dropped the connection: the work was not done."""


# Errors that may mean the database is unreachable; is_unavailable tells them apart.
DATABASE_ERRORS: tuple[type[Exception], ...] = (
    DatabaseUnavailable,
    pg.PostgresError,
    pg.InterfaceError,
    pg.InternalClientError,  # a pooled connection whose backend went away mid-operation
    OSError,
)
_GONE = (
    pg.PostgresConnectionError,  # class 08: refused, failed, lost (ConnectionDoesNotExistError)
    pg.CannotConnectNowError,
    pg.AdminShutdownError,
    pg.CrashShutdownError,
    pg.TooManyConnectionsError,
)


def is_unavailable(exc: BaseException) -> bool:
    """Whether `exc` says the database cannot be reached (refused, timed out, lost, shutting
    down) rather than that a statement was wrong. An OSError or TimeoutError counts only
    when asyncpg raised it; any error while opening a connection counts (a database that
    does not accept connections answers with an ordinary SQLSTATE)."""
    if isinstance(exc, (DatabaseUnavailable, *_GONE)):
        return True
    if isinstance(exc, pg.InternalClientError):  # a pooled connection whose backend was killed
        return "another operation" in str(exc) or "cannot switch to state" in str(exc)
    if isinstance(exc, pg.InterfaceError):  # else a misuse, such as two queries at once
        return "closed" in str(exc) or "closing" in str(exc)
    modules = list(_modules(exc.__traceback__))
    if "asyncpg.connect_utils" in modules:
        return True
    if isinstance(exc, OSError) and any(m.startswith("asyncpg") for m in modules):
        return True
    return exc.__cause__ is not None and is_unavailable(exc.__cause__)


def is_unstorable_text(exc: BaseException) -> bool:
    """Whether `exc` says a parameter held text the database cannot store (a NUL)."""
    return isinstance(exc, (pg.CharacterNotInRepertoireError, pg.UntranslatableCharacterError))


def _modules(tb: TracebackType | None) -> Iterator[str]:
    while tb is not None:
        yield str(tb.tb_frame.f_globals.get("__name__", ""))
        tb = tb.tb_next


@contextlib.contextmanager
def unavailable_as_error() -> Iterator[None]:
    """Re-raise an error meaning the database cannot be reached as DatabaseUnavailable."""
    try:
        yield
    except DatabaseUnavailable:
        raise
    except Exception as exc:
        if is_unavailable(exc):
            raise DatabaseUnavailable(f"the database is unreachable ({_brief(exc)})") from exc
        raise


def _brief(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"[:160] if str(exc) else type(exc).__name__


class BoundedPool(_PoolBase):
    """A pool whose `acquire` (also inside fetch, execute, ...) waits at most
    ACQUIRE_TIMEOUT unless the caller passes its own timeout."""

    def acquire(self, *, timeout: float | None = None) -> PoolAcquireContext[asyncpg.Record]:
        return super().acquire(timeout=ACQUIRE_TIMEOUT if timeout is None else timeout)


def _encode_jsonb(value: Any) -> bytes:
    body = value if isinstance(value, bytes | bytearray) else msgspec.json.encode(value)
    return b"\x01" + bytes(body)


def _decode_jsonb(data: bytes) -> bytes:
    return data[1:]


async def init_connection(conn: Connection) -> None:
    await conn.set_type_codec(
        "jsonb",
        schema="pg_catalog",
        format="binary",
        encoder=_encode_jsonb,
        decoder=_decode_jsonb,
    )


async def _keep_session(_conn: Connection) -> None:
    """A released connection's open transaction is still rolled back (asyncpg does that
    before calling this), but the session is not reset: nothing here LISTENs, SETs or takes
    session advisory locks on a pooled connection (those use `connect`), and asyncpg's
    default reset query cost a round trip on every release, about 10% of a read request."""


async def create_pool(dsn: str, *, min_size: int = 1, max_size: int = 10) -> Pool:
    """What asyncpg.create_pool builds, as a BoundedPool with a bounded connect."""
    pool = BoundedPool(
        dsn,
        min_size=min_size,
        max_size=max_size,
        max_queries=50000,
        max_inactive_connection_lifetime=300.0,
        init=init_connection,
        reset=_keep_session,
        loop=None,
        connection_class=asyncpg.Connection,
        record_class=asyncpg.Record,
        command_timeout=30,
        timeout=CONNECT_TIMEOUT,
    )
    await pool
    return pool


async def connect(
    dsn: str, server_settings: dict[str, str] | None = None
) -> asyncpg.Connection[Any]:
    conn: asyncpg.Connection[Any] = await asyncpg.connect(
        dsn, timeout=CONNECT_TIMEOUT, server_settings=server_settings
    )
    await init_connection(conn)
    return conn
