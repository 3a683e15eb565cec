"""How failed sign-ins slow down, then lock, a user name or a client address (pure).

The first `free` failures are answered at once; after that each further attempt must wait
1 s, 2 s, 4 s ... (at most `max_delay`) after the last failure, and `lock_after` failures
lock the key for `lock_seconds`. Failures older than `window` are forgotten, and so is
everything once a lock has passed. The state lives in PostgreSQL (api.signin), so every
API replica applies the same limits.
"""

from __future__ import annotations

import msgspec

FREE = 3
ADDRESS_FACTOR = 5  # an address (many people behind one NAT) gets five times the allowance


class Limits(msgspec.Struct, frozen=True, kw_only=True):
    free: int = FREE
    lock_after: int = 10
    lock_seconds: float = 900.0
    max_delay: float = 60.0
    window: float = 900.0


class Record(msgspec.Struct, frozen=True, kw_only=True):
    """One key's failures; times in seconds since the epoch, 0 for none."""

    failures: int = 0
    last_failure: float = 0.0
    locked_until: float = 0.0

    @property
    def locked(self) -> bool:
        return self.locked_until > 0


def limits_for(lock_after: int, lock_minutes: float) -> tuple[Limits, Limits]:
    """The limits of a user name and of a client address."""
    lock = lock_minutes * 60
    name = Limits(lock_after=lock_after, lock_seconds=lock, window=max(lock, 900.0))
    address = msgspec.structs.replace(
        name, free=FREE * ADDRESS_FACTOR, lock_after=lock_after * ADDRESS_FACTOR
    )
    return name, address


def current(record: Record, limits: Limits, now: float) -> Record:
    """The record as it stands at `now`: a passed lock or failures out of the window are gone."""
    if record.locked:
        return record if record.locked_until > now else Record()
    return record if now - record.last_failure <= limits.window else Record()


def delay(failures: int, limits: Limits) -> float:
    """How long after its last failure a key with `failures` may try again."""
    if failures < limits.free:
        return 0.0
    return float(min(2.0 ** (failures - limits.free), limits.max_delay))


def wait(record: Record, limits: Limits, now: float) -> float:
    """Seconds until the key may try again (0: now); while locked, until the lock ends."""
    r = current(record, limits, now)
    if r.locked:
        return r.locked_until - now
    return max(r.last_failure + delay(r.failures, limits) - now, 0.0)


def failed(record: Record, limits: Limits, now: float) -> Record:
    """The record after one more failure at `now` (reaching `lock_after` locks the key)."""
    failures = current(record, limits, now).failures + 1
    locked_until = now + limits.lock_seconds if failures >= limits.lock_after else 0.0
    return Record(failures=failures, last_failure=now, locked_until=locked_until)


def forgiven(record: Record, limits: Limits) -> Record:
    """Take back one failure: an attempt counted in advance whose password was right."""
    failures = max(record.failures - 1, 0)
    locked_until = record.locked_until if failures >= limits.lock_after else 0.0
    return Record(failures=failures, last_failure=record.last_failure, locked_until=locked_until)
