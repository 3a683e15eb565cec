"""The trend radar: trends (new models, tools, platforms, rules) and their ring moves.

A trend is its own stream, keyed by `trend_id`, owned by the `trends` service. It starts
with TrendAdded; its ring changes only by TrendMoved, which carries the rationale. It links
to the initiatives it affects by initiative id only, as the stages link by events.
"""

from __future__ import annotations

from typing import Annotated, ClassVar, Literal

import msgspec

from events.base import Addressed, Fact, Id, LongText, Text, event_type

Quadrant = Literal["models", "tools", "platforms", "regulation"]
Ring = Literal["adopt", "trial", "assess", "hold"]
Maturity = Literal["emerging", "growing", "mature", "declining"]
QUADRANTS: tuple[Quadrant, ...] = ("models", "tools", "platforms", "regulation")
RINGS: tuple[Ring, ...] = ("adopt", "trial", "assess", "hold")  # innermost first
MATURITIES: tuple[Maturity, ...] = ("emerging", "growing", "mature", "declining")
Items = Annotated[tuple[Text, ...], msgspec.Meta(max_length=20)]


def _t(name: str) -> str:
    return event_type("trends", name)


class TrendFact(Fact, frozen=True, kw_only=True):
    """A fact about one trend (its stream id)."""

    trend_id: Id


class TrendAdded(TrendFact, tag=_t("trend_added"), frozen=True, kw_only=True):
    name: Text
    description: LongText
    quadrant: Quadrant
    ring: Ring
    maturity: Maturity = "emerging"
    risks: Items = ()
    dependencies: Items = ()


class TrendEdited(TrendFact, tag=_t("trend_edited"), frozen=True, kw_only=True):
    """Only the fields that changed are set; the ring changes only by a move."""

    name: Text | None = None
    description: LongText | None = None
    quadrant: Quadrant | None = None
    maturity: Maturity | None = None
    risks: Items | None = None
    dependencies: Items | None = None


class TrendMoved(TrendFact, tag=_t("trend_moved"), frozen=True, kw_only=True):
    from_ring: Ring
    to_ring: Ring
    rationale: LongText


class TrendLinked(TrendFact, tag=_t("trend_linked"), frozen=True, kw_only=True):
    """The trend affects this initiative (by id: the trends service reads no stage's table)."""

    initiative_id: Id


class TrendUnlinked(TrendFact, tag=_t("trend_unlinked"), frozen=True, kw_only=True):
    initiative_id: Id


class TrendCommand(Addressed, frozen=True, kw_only=True):
    """An imperative addressed to one trend's stream."""

    trend_id: Id
    stream_kind: ClassVar[str] = "trend"

    @property
    def stream_id(self) -> str:
        return self.trend_id


class AddTrend(TrendCommand, tag="add-trend", frozen=True, kw_only=True):
    name: Text
    description: LongText
    quadrant: Quadrant
    ring: Ring
    maturity: Maturity = "emerging"
    risks: Items = ()
    dependencies: Items = ()


class EditTrend(TrendCommand, tag="edit-trend", frozen=True, kw_only=True):
    name: Text | None = None
    description: LongText | None = None
    quadrant: Quadrant | None = None
    maturity: Maturity | None = None
    risks: Items | None = None
    dependencies: Items | None = None


class MoveTrend(TrendCommand, tag="move-trend", frozen=True, kw_only=True):
    ring: Ring
    rationale: LongText


class LinkTrend(TrendCommand, tag="link-trend", frozen=True, kw_only=True):
    initiative_id: Id


class UnlinkTrend(TrendCommand, tag="unlink-trend", frozen=True, kw_only=True):
    initiative_id: Id


EDITABLE = ("name", "description", "quadrant", "maturity", "risks", "dependencies")

AnyTrendEvent = TrendAdded | TrendEdited | TrendMoved | TrendLinked | TrendUnlinked
AnyTrendCommand = AddTrend | EditTrend | MoveTrend | LinkTrend | UnlinkTrend
EVENT_DECODER = msgspec.json.Decoder(AnyTrendEvent)
COMMAND_DECODER = msgspec.json.Decoder(AnyTrendCommand)
