"""web.chart_scales: value ticks, calendar date ticks and where their labels stand."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from itertools import pairwise

import pytest

from web.chart_scales import (
    NARROWEST,
    anchor_at,
    date_ticks,
    label_span,
    value_ticks,
    with_unit,
    x_fraction,
)


def at(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)  # type: ignore[misc]


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ([3, 7.5], [2, 4, 6, 8]),
        ([100.2, 120, 102], [100, 105, 110, 115, 120]),
        ([-3, 12], [-5, 0, 5, 10, 15]),
        ([0.001, 0.004], [0.001, 0.002, 0.003, 0.004]),
        ([0, 0], [0, 0.25, 0.5, 0.75, 1]),
    ],
)
def test_value_ticks_are_evenly_spaced_round_numbers_covering_the_values(values, expected):
    assert value_ticks(values) == pytest.approx(expected)


def test_value_ticks_never_dip_below_zero_for_non_negative_data_and_stay_few():
    for high in (1, 7, 13, 99, 101, 5_000, 1_234_567):
        ticks = value_ticks([0, high])
        assert ticks[0] == 0 and ticks[-1] >= high and 2 <= len(ticks) <= 6


@pytest.mark.parametrize(
    ("first", "last", "labels"),
    [
        (at(2026, 1, 1), at(2026, 1, 11), ["1 Jan", "4 Jan", "7 Jan", "10 Jan"]),
        (at(2026, 3, 2), at(2026, 5, 13), ["15 Mar", "1 Apr", "15 Apr", "1 May"]),
        (at(2025, 6, 1), at(2026, 2, 13), ["Jul 2025", "Sep 2025", "Nov 2025", "Jan 2026"]),
        (at(2020, 3, 1), at(2026, 2, 1), ["2022", "2024", "2026"]),
        (at(2026, 1, 1, 5), at(2026, 1, 2, 10), ["06:00", "12:00", "18:00", "2 Jan", "06:00"]),
    ],
)
def test_date_ticks_fall_on_calendar_boundaries(first, last, labels):
    ticks = date_ticks(first, last)
    assert [label for _, label in ticks] == labels
    assert all(first <= t <= last for t, _ in ticks)


def test_date_ticks_give_two_to_five_labels_that_never_touch_on_the_narrowest_chart():
    start = at(2026, 1, 1)
    for hours in (2, 7, 30, 100, 400, 1_000, 3_000, 9_000, 30_000, 100_000):
        last = start + timedelta(hours=hours)
        ticks = date_ticks(start, last)
        assert 1 <= len(ticks) <= 5, hours
        spans = [label_span(x_fraction(t, start, last), label) for t, label in ticks]
        assert all(a[1] < b[0] for a, b in pairwise(spans)), (hours, ticks)
        assert all(a >= 0 and b <= NARROWEST for a, b in spans), (hours, spans)


def test_one_moment_gets_one_tick_with_its_full_date():
    assert date_ticks(at(2026, 3, 2, 9), at(2026, 3, 2, 9)) == [(at(2026, 3, 2, 9), "2 Mar 2026")]


def test_labels_near_an_edge_are_anchored_to_that_edge():
    assert anchor_at(0.01, "15 Mar") == "start"
    assert anchor_at(0.5, "15 Mar") == "middle"
    assert anchor_at(0.99, "15 Mar") == "end"


def test_numbers_with_units():
    assert with_unit(80, "%") == "80%"
    assert with_unit(102.96, "MWh/month") == "103 MWh/month"
    assert with_unit(102.96, "MWh/month", exact=True) == "102.96 MWh/month"
    assert with_unit(1234.5, "") == "1,234"
