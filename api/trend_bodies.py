"""Request bodies of the trend radar: the trend commands' fields (events/trends.py), strict
about unknown fields, so the limits the trends service enforces are checked here first."""

from __future__ import annotations

from typing import Annotated

import msgspec

from api.bodies import Version
from events.base import Id, LongText, Text
from events.trends import Items, Maturity, Quadrant, Ring

Position = Annotated[int, msgspec.Meta(ge=0, description="wait until the read models applied it")]


class AddTrendBody(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """`trend_id` is made up when left out (and returned as `id`)."""

    name: Text
    description: LongText
    quadrant: Quadrant
    ring: Ring
    maturity: Maturity = "emerging"
    risks: Items = ()
    dependencies: Items = ()
    trend_id: Id | None = None


class EditTrendBody(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    name: Text | None = None
    description: LongText | None = None
    quadrant: Quadrant | None = None
    maturity: Maturity | None = None
    risks: Items | None = None
    dependencies: Items | None = None
    expected_version: Version | None = None


class MoveBody(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    ring: Ring
    rationale: LongText
    expected_version: Version | None = None


class LinkBody(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """`min_position`: the position of the initiative's proposal, when it is that new."""

    initiative_id: Id
    expected_version: Version | None = None
    min_position: Position | None = None
