"""/health's projection check: the count of events behind and the age of the oldest one."""

from __future__ import annotations

from api.routes.system import MAX_LAG, MAX_LAG_SECONDS, projection_check
from services.projection.models import Lag


def lag(events: int, seconds: float) -> Lag:
    return Lag(stream_last=100 + events, applied=100, events_behind=events, seconds_behind=seconds)


def test_caught_up_is_ok():
    assert projection_check(lag(0, 0)).ok


def test_a_few_recent_events_behind_is_ok_and_says_how_long_they_waited():
    check = projection_check(lag(3, 1.5))
    assert check.ok and check.detail == "3 events behind; the oldest has waited 1.5s"


def test_few_events_waiting_too_long_is_not_ok():
    check = projection_check(lag(2, MAX_LAG_SECONDS + 1))
    assert not check.ok and "waited 61.0s" in check.detail


def test_too_many_events_behind_is_not_ok_however_recent():
    assert not projection_check(lag(MAX_LAG + 1, 0.5)).ok
