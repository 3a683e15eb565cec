"""asyncpg pools with JSONB kept as raw JSON bytes (decoded by typed msgspec decoders)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeAlias

import asyncpg
import msgspec

Pool = asyncpg.Pool
if TYPE_CHECKING:  # a pooled connection is a proxy; both work wherever a Connection is taken
    from asyncpg.pool import PoolConnectionProxy

    Connection: TypeAlias = asyncpg.Connection[Any] | PoolConnectionProxy[Any]
else:
    Connection = asyncpg.Connection


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


async def create_pool(dsn: str, *, min_size: int = 1, max_size: int = 10) -> Pool:
    pool = await asyncpg.create_pool(
        dsn, min_size=min_size, max_size=max_size, init=init_connection, command_timeout=30
    )
    assert pool is not None
    return pool


async def connect(dsn: str) -> asyncpg.Connection[Any]:
    conn: asyncpg.Connection[Any] = await asyncpg.connect(dsn)
    await init_connection(conn)
    return conn
