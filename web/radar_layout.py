"""Where each trend sits on the radar: four rings (adopt innermost), four quadrants.

Deterministic: the same trends always land on the same spots. Within its cell (quadrant
x ring) a trend takes a place on one of a few arcs, evenly spread, so that dots do not
overlap while the cell has room; only a crowded cell packs them closer.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from events.trends import QUADRANTS, RINGS
from services.projection.views.trend import Trend

SIZE = 640  # the SVG's viewBox is SIZE x SIZE
CENTER = SIZE / 2
DOT = 12  # a dot's radius
GAP = 8  # the least room between two dots
EDGES = (0.0, 110.0, 180.0, 245.0, 300.0)  # ring boundaries: each ring name fits its band
# each quadrant's angles (degrees, clockwise from 3 o'clock, as SVG's y grows downwards)
ANGLES = {"tools": (270.0, 360.0), "models": (180.0, 270.0), "platforms": (90.0, 180.0),
          "regulation": (0.0, 90.0)}  # fmt: skip
PAD = DOT + 10  # keep dots off the axes (the ring names sit on the horizontal one)


@dataclass(frozen=True)
class Dot:
    trend: Trend
    number: int
    x: float
    y: float


@dataclass(frozen=True)
class Ring:
    name: str
    inner: float
    outer: float

    @property
    def label_x(self) -> float:
        """Where its name sits: on the horizontal axis, left of the centre."""
        return CENTER - (self.inner + self.outer) / 2


RING_BANDS = [Ring(n, EDGES[i], EDGES[i + 1]) for i, n in enumerate(RINGS)]


def numbered(trends: list[Trend]) -> list[tuple[int, Trend]]:
    """The order of the list under the radar: by quadrant, ring, then name."""
    key = {q: i for i, q in enumerate(QUADRANTS)}
    rank = {r: i for i, r in enumerate(RINGS)}
    ordered = sorted(trends, key=lambda t: (key[t.quadrant], rank[t.ring], t.name.lower(),
                                            t.trend_id))  # fmt: skip
    return list(enumerate(ordered, start=1))


def layout(trends: list[Trend]) -> list[Dot]:
    cells: dict[tuple[str, str], list[tuple[int, Trend]]] = {}
    for number, trend in numbered(trends):
        cells.setdefault((trend.quadrant, trend.ring), []).append((number, trend))
    dots = []
    for (quadrant, ring), members in cells.items():
        spots = _spots(quadrant, RINGS.index(ring), len(members))
        dots += [Dot(t, n, x, y) for (n, t), (x, y) in zip(members, spots, strict=True)]
    return sorted(dots, key=lambda d: d.number)


def _spots(quadrant: str, ring: int, count: int) -> list[tuple[float, float]]:
    """`count` places in a cell: on the fewest arcs that hold them a dot's width apart."""
    inner, outer = max(EDGES[ring], 36.0), EDGES[ring + 1]
    for arcs in range(1, 6):
        radii = [inner + (outer - inner) * (i + 0.5) / arcs for i in range(arcs)]
        room = [_capacity(r) for r in radii]
        if sum(room) >= count or (outer - inner) / (arcs + 1) < 2 * DOT:
            break
    shares = _share(count, room)
    start, end = ANGLES[quadrant]
    spots = []
    for arc, (radius, n) in enumerate(zip(radii, shares, strict=True)):
        margin = math.degrees(PAD / radius)
        span = (end - start) - 2 * margin
        for i in range(n):
            stagger = 0.5 if arc % 2 else 0.0
            angle = math.radians(start + margin + span * (i + 0.5 + stagger / 2) / (n + stagger))
            spots.append((CENTER + radius * math.cos(angle), CENTER + radius * math.sin(angle)))
    return spots


def _capacity(radius: float) -> int:
    usable = radius * math.pi / 2 - 2 * PAD
    return max(1, int(usable // (2 * DOT + GAP)))


def _share(count: int, room: list[int]) -> list[int]:
    """Spread `count` over the arcs in proportion to their room (outer arcs hold more)."""
    total = sum(room)
    shares = [count * r // total for r in room]
    order = sorted(range(len(room)), key=lambda i: -room[i])
    for k in range(count - sum(shares)):
        shares[order[k % len(order)]] += 1
    return shares
