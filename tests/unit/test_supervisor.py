"""The supervisor's restart policy, with a fake clock: the delay doubles while a service
keeps dying soon after it starts, stops growing at the longest delay, and starts again from
the first once a run has lasted the healthy period."""

from __future__ import annotations

from launch.supervisor import Backoff


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def crashes(backoff: Backoff, clock: FakeClock, count: int, ran_for: float = 1.0) -> list[float]:
    """Start, run for `ran_for` seconds, die, wait the delay: `count` times; the delays."""
    delays = []
    for _ in range(count):
        backoff.started()
        clock.now += ran_for
        delays.append(backoff.exited())
        clock.now += delays[-1]
    return delays


def test_the_delay_doubles_while_the_service_keeps_dying_at_once():
    clock = FakeClock()
    assert crashes(Backoff(clock), clock, 4) == [0.5, 1.0, 2.0, 4.0]


def test_the_delay_stops_growing_at_the_longest():
    clock = FakeClock()
    assert crashes(Backoff(clock), clock, 9)[-3:] == [30.0, 30.0, 30.0]


def test_a_healthy_run_resets_the_delay():
    clock = FakeClock()
    backoff = Backoff(clock)
    crashes(backoff, clock, 8)  # up to the longest delay
    assert crashes(backoff, clock, 1, ran_for=3 * 3600) == [0.5]  # hours later it dies again
    assert crashes(backoff, clock, 2) == [1.0, 2.0]


def test_a_run_just_short_of_healthy_does_not_reset_it():
    clock = FakeClock()
    backoff = Backoff(clock, healthy=60.0)
    crashes(backoff, clock, 3)
    assert crashes(backoff, clock, 1, ran_for=59.0) == [4.0]
