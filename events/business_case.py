"""The business case of an initiative, refined stage by stage (PRODUCT.md section 12).

A case states what the initiative is expected to earn a year, what it costs once and each
year, how sure its authors are, and the KPI that carries the value: each unit of that KPI's
improvement over its baseline is worth `value_per_unit` a year. Each stage subclasses
BusinessCaseRefined with its own tag: the stage that holds the initiative records the case,
and the gate's handoff carries the latest one on to the next stage.
"""

from __future__ import annotations

from typing import Annotated, Literal

import msgspec

from events.base import Command, Event, Frozen, Id, storable

Confidence = Literal["low", "medium", "high"]
Money = Annotated[
    float, msgspec.Meta(ge=0, le=1e12, description="an amount in the case's currency, >= 0")
]
# ISO 4217 codes; amounts in different currencies are never summed together
Currency = Literal[
    "EUR", "USD", "GBP", "CHF", "SEK", "NOK", "DKK", "PLN", "CZK", "HUF", "JPY", "CNY", "CAD",
    "AUD", "INR",
]  # fmt: skip
Note = Annotated[str, storable(0, 1000)]  # may be empty


class BusinessCase(Frozen, frozen=True, kw_only=True):
    """What a case says. `kpi_id` may name a KPI before it is defined (it is linked once a
    KPI with that id exists); `value_per_unit` is the yearly value of one unit of the KPI's
    improvement over its baseline, in the KPI's better direction."""

    expected_annual_value: Money
    one_off_cost: Money = 0.0
    running_cost_per_year: Money = 0.0
    confidence: Confidence = "medium"
    currency: Currency = "EUR"
    kpi_id: Id | None = None
    value_per_unit: Money = 0.0
    note: Note = ""


class BusinessCaseRefined(Event, frozen=True, kw_only=True):
    """The initiative's business case as it stands now; it replaces the earlier one.
    One subclass per stage."""

    case: BusinessCase
    refined_by: Id


class RefineBusinessCase(Command, tag="refine-business-case", frozen=True, kw_only=True):
    """State the business case anew (every field; the latest case replaces the earlier):
    by a contributor, or an owner on their own initiatives, in a live stage."""

    case: BusinessCase
