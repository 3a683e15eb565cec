"""Signing in to the pages: the throttle of api.throttle kept in PostgreSQL (shared by every
API replica), the password check (the same scrypt work for an unknown name, see
api.users.check_password), and the log of failed attempts and locks.

An attempt is counted as a failure *before* the password is checked, in a transaction
holding the name's and the address's rows, so parallel guesses cannot slip past the
limits; a right password then takes the count back.
"""

from __future__ import annotations

import logging
import time
from datetime import UTC, datetime

import msgspec

from api import throttle
from api.throttle import Limits, Record
from api.users import User, check_password
from infra.db import Connection, Pool
from infra.settings import Settings

log = logging.getLogger("tollgate.signin")
TABLE = "api.signin_failures"


class Refused(msgspec.Struct, frozen=True, kw_only=True):
    """An attempt not even checked: the name or the address must wait, or is locked."""

    wait: float
    locked: bool
    by: str  # "name" or "address"


class Outcome(msgspec.Struct, frozen=True, kw_only=True):
    user: User | None = None
    refused: Refused | None = None


class SignIn:
    def __init__(self, pool: Pool, settings: Settings) -> None:
        self.pool = pool
        self.by_name, self.by_address = throttle.limits_for(
            settings.signin_lock_after, settings.signin_lock_minutes
        )

    async def attempt(
        self, name: str, password: str, address: str, now: float | None = None
    ) -> Outcome:
        """Check the password unless the name or address is held back; count a failure."""
        now = time.time() if now is None else now
        keys = {f"name:{name[:200]}": self.by_name, f"address:{address}": self.by_address}
        counted = await self._count(keys, now)
        if isinstance(counted, Refused):
            log.info(
                "sign-in refused for %r from %s: the %s is %s for %.0fs more",
                name,
                address,
                counted.by,
                "locked" if counted.locked else "held back",
                counted.wait,
            )
            return Outcome(refused=counted)
        user = await check_password(self.pool, name, password)
        if user is not None:
            await self._forgive(keys)
            return Outcome(user=user)
        _log_failure(name, address, list(counted.values()))
        return Outcome()

    async def _count(self, keys: dict[str, Limits], now: float) -> dict[str, Record] | Refused:
        async with self.pool.acquire() as conn, conn.transaction():
            await conn.execute(
                f"DELETE FROM {TABLE} WHERE last_failure_at < to_timestamp($1)"
                " AND (locked_until IS NULL OR locked_until < to_timestamp($2))",
                now - max(limits.window for limits in keys.values()),
                now,
            )
            records = await _lock(conn, list(keys))
            waits = [(throttle.wait(records[k], keys[k], now), k) for k in keys]
            longest, key = max(waits)
            if longest > 0:
                record = throttle.current(records[key], keys[key], now)
                return Refused(wait=longest, locked=record.locked, by=key.split(":")[0])
            after = {k: throttle.failed(records[k], limits, now) for k, limits in keys.items()}
            await _store(conn, after)
        return after

    async def _forgive(self, keys: dict[str, Limits]) -> None:
        async with self.pool.acquire() as conn, conn.transaction():
            records = await _lock(conn, list(keys))
            name, address = keys  # a right password clears the name, and is no failure
            await conn.execute(f"DELETE FROM {TABLE} WHERE key = $1", name)
            await _store(conn, {address: throttle.forgiven(records[address], keys[address])})


async def _lock(conn: Connection, keys: list[str]) -> dict[str, Record]:
    """Each key's record, its row locked (created empty when missing)."""
    keys = sorted(keys)  # always the same order: two attempts never deadlock
    await conn.execute(
        f"INSERT INTO {TABLE} (key, failures, last_failure_at)"
        " SELECT k, 0, 'epoch' FROM unnest($1::text[]) AS k ON CONFLICT DO NOTHING",
        keys,
    )
    rows = await conn.fetch(
        "SELECT key, failures, extract(epoch FROM last_failure_at)::float8 AS last,"
        " coalesce(extract(epoch FROM locked_until), 0)::float8 AS locked"
        f" FROM {TABLE} WHERE key = ANY($1::text[]) ORDER BY key FOR UPDATE",
        keys,
    )
    return {
        r["key"]: Record(failures=r["failures"], last_failure=r["last"], locked_until=r["locked"])
        for r in rows
    }


async def _store(conn: Connection, records: dict[str, Record]) -> None:
    await conn.executemany(
        f"UPDATE {TABLE} SET failures = $2, last_failure_at = to_timestamp($3),"
        " locked_until = CASE WHEN $4 > 0 THEN to_timestamp($4) END WHERE key = $1",
        [(k, r.failures, r.last_failure, r.locked_until) for k, r in records.items()],
    )


def _log_failure(name: str, address: str, records: list[Record]) -> None:
    by_name, by_address = records
    log.warning(
        "sign-in failed for %r from %s (%d recent failures of the name, %d of the address)",
        name,
        address,
        by_name.failures,
        by_address.failures,
    )
    for what, record in (("name", by_name), ("address", by_address)):
        if record.locked:
            until = datetime.fromtimestamp(record.locked_until, UTC).isoformat(timespec="seconds")
            log.warning(
                "sign-in locked for the %s %r until %s after %d failures",
                what,
                name if what == "name" else address,
                until,
                record.failures,
            )
