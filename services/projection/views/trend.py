"""A trend on the radar as it stands: a pure fold of its events (live, rebuild and as_of)."""

from __future__ import annotations

from datetime import datetime
from typing import assert_never

import msgspec
from msgspec.structs import replace

from events.base import Frozen
from events.trends import (
    EDITABLE,
    AnyTrendEvent,
    Maturity,
    Quadrant,
    Ring,
    TrendAdded,
    TrendEdited,
    TrendLinked,
    TrendMoved,
    TrendUnlinked,
)


class Trend(Frozen, frozen=True, kw_only=True):
    trend_id: str
    name: str
    description: str
    quadrant: Quadrant
    ring: Ring
    maturity: Maturity
    risks: tuple[str, ...] = ()
    dependencies: tuple[str, ...] = ()
    initiatives: tuple[str, ...] = ()  # linked, in the order linked
    added_at: datetime
    updated_at: datetime
    moved_at: datetime | None = None  # the last ring move


def project(trend: Trend | None, event: AnyTrendEvent) -> Trend | None:
    """The trend after `event`; None while it has not been added (a stray later event)."""
    if isinstance(event, TrendAdded):
        fields = msgspec.structs.asdict(event)
        fields.pop("at")
        return Trend(**fields, added_at=event.at, updated_at=event.at)
    if trend is None:
        return None
    trend = replace(trend, updated_at=max(trend.updated_at, event.at))
    match event:
        case TrendEdited():
            changed = {n: getattr(event, n) for n in EDITABLE if getattr(event, n) is not None}
            return replace(trend, **changed)
        case TrendMoved():
            return replace(trend, ring=event.to_ring, moved_at=event.at)
        case TrendLinked():
            if event.initiative_id in trend.initiatives:
                return trend
            return replace(trend, initiatives=(*trend.initiatives, event.initiative_id))
        case TrendUnlinked():
            kept = tuple(i for i in trend.initiatives if i != event.initiative_id)
            return replace(trend, initiatives=kept)
        case _:
            assert_never(event)
