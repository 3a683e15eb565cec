"""The radar's layout: every dot in its ring and quadrant, none overlapping, always the same."""

from __future__ import annotations

import itertools
import math
from datetime import UTC, datetime

import pytest

from events.trends import QUADRANTS, RINGS
from services.projection.views.trend import Trend
from web.radar_layout import ANGLES, CENTER, DOT, EDGES, layout, numbered

AT = datetime(2026, 1, 1, tzinfo=UTC)


def trend(n: int, quadrant: str, ring: str) -> Trend:
    return Trend(
        trend_id=f"t{n}", name=f"Trend {n:02d}", description="d", quadrant=quadrant,  # type: ignore[arg-type]
        ring=ring, maturity="growing", added_at=AT, updated_at=AT,  # type: ignore[arg-type]
    )  # fmt: skip


def crowd(per_cell: int) -> list[Trend]:
    cells = itertools.product(QUADRANTS, RINGS, range(per_cell))
    return [trend(i, q, r) for i, (q, r, _) in enumerate(cells)]


@pytest.mark.parametrize("per_cell", [1, 3, 6])
def test_each_dot_sits_in_its_ring_and_quadrant(per_cell: int) -> None:
    for dot in layout(crowd(per_cell)):
        dx, dy = dot.x - CENTER, dot.y - CENTER
        ring = RINGS.index(dot.trend.ring)
        assert EDGES[ring] <= math.hypot(dx, dy) <= EDGES[ring + 1]
        start, end = ANGLES[dot.trend.quadrant]
        assert start <= math.degrees(math.atan2(dy, dx)) % 360 <= end or end == 360


@pytest.mark.parametrize("per_cell", [1, 3, 6])
def test_no_two_dots_overlap(per_cell: int) -> None:
    dots = layout(crowd(per_cell))
    for a, b in itertools.combinations(dots, 2):
        assert math.hypot(a.x - b.x, a.y - b.y) >= 2 * DOT, (a.trend.name, b.trend.name)


def test_the_same_trends_land_on_the_same_spots_in_any_order() -> None:
    trends = crowd(2)
    first = [(d.trend.trend_id, d.x, d.y) for d in layout(trends)]
    assert first == [(d.trend.trend_id, d.x, d.y) for d in layout(list(reversed(trends)))]


def test_numbers_follow_quadrant_ring_and_name() -> None:
    trends = [trend(2, "tools", "hold"), trend(1, "models", "trial"), trend(3, "models", "adopt")]
    assert [(n, t.trend_id) for n, t in numbered(trends)] == [(1, "t3"), (2, "t1"), (3, "t2")]
