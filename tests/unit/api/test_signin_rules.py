"""Sign-in protection as pure rules: growing delays, the lock, forgetting, and the same
password-hash work for a name that does not exist (no timing is measured)."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest

from api import throttle
from api.throttle import Limits, Record
from api.users import check_password, password_hash

LIMITS = Limits(free=3, lock_after=6, lock_seconds=900, max_delay=60, window=900)
T0 = 1_000_000.0


def after_failures(count: int, at: float = T0) -> Record:
    record = Record()
    for _ in range(count):
        record = throttle.failed(record, LIMITS, at)
    return record


def test_the_first_failures_may_be_retried_at_once():
    assert throttle.wait(after_failures(2), LIMITS, T0) == 0


def test_each_failure_past_the_free_ones_doubles_the_wait():
    assert [throttle.wait(after_failures(n), LIMITS, T0) for n in (3, 4, 5)] == [1, 2, 4]
    assert throttle.wait(after_failures(3), LIMITS, T0 + 1) == 0


def test_the_wait_never_exceeds_the_longest_delay():
    many = Limits(free=3, lock_after=50, max_delay=60)
    record = Record(failures=20, last_failure=T0)
    assert throttle.wait(record, many, T0) == 60


def test_reaching_lock_after_locks_the_key_for_lock_seconds():
    locked = after_failures(6)
    assert locked.locked
    assert throttle.wait(locked, LIMITS, T0 + 100) == 800


def test_a_passed_lock_is_forgotten_with_its_failures():
    locked = after_failures(6)
    assert throttle.wait(locked, LIMITS, T0 + 901) == 0
    assert throttle.failed(locked, LIMITS, T0 + 901).failures == 1


def test_failures_outside_the_window_are_forgotten():
    assert throttle.failed(after_failures(5), LIMITS, T0 + 901).failures == 1


def test_a_right_password_takes_back_the_failure_counted_in_advance():
    counted = after_failures(6)  # the sixth was the right password, counted before the check
    forgiven = throttle.forgiven(counted, LIMITS)
    assert forgiven.failures == 5 and not forgiven.locked


def test_an_address_gets_five_times_a_names_allowance():
    name, address = throttle.limits_for(lock_after=10, lock_minutes=15)
    assert (name.free, name.lock_after, name.lock_seconds) == (3, 10, 900)
    assert (address.free, address.lock_after) == (15, 50)


class FakePool:
    """The one query check_password makes, answered with `row`."""

    def __init__(self, row: dict[str, Any] | None) -> None:
        self.row = row

    async def fetchrow(self, _query: str, *_args: object) -> dict[str, Any] | None:
        return self.row


@pytest.fixture
def scrypt_calls(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    calls: list[dict[str, Any]] = []
    real = hashlib.scrypt

    def counting(password: bytes, **params: Any) -> bytes:
        calls.append({k: v for k, v in params.items() if k != "salt"})
        return real(password, **params)

    monkeypatch.setattr(hashlib, "scrypt", counting)
    return calls


OLIVIA = {
    "user_id": "00000000-0000-0000-0000-000000000001",
    "name": "olivia",
    "role": "owner",
    "kind": "person",
    "password_hash": password_hash("right password"),
}


async def test_an_unknown_name_costs_the_same_password_hash_work_as_a_wrong_password(
    scrypt_calls: list[dict[str, Any]],
):
    await check_password(FakePool(None), "warm-up", "x")  # the unknown-name hash is made once
    scrypt_calls.clear()
    assert await check_password(FakePool(OLIVIA), "olivia", "wrong") is None
    known = list(scrypt_calls)
    scrypt_calls.clear()
    assert await check_password(FakePool(None), "nobody", "wrong") is None
    assert scrypt_calls == known and len(known) == 1


async def test_a_user_without_a_password_costs_the_same_work_too(
    scrypt_calls: list[dict[str, Any]],
):
    await check_password(FakePool(None), "warm-up", "x")
    scrypt_calls.clear()
    agent = {**OLIVIA, "password_hash": None}
    assert await check_password(FakePool(agent), "olivia", "anything") is None
    assert len(scrypt_calls) == 1
