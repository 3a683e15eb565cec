"""KPIs: definitions, measurements and the shared measurement event and command.

Pilot defines KPIs; pilot, MVP and production record measurements against them.
"""

from __future__ import annotations

import sys
from datetime import datetime
from typing import Literal

from events.base import Command, Event, Frozen, Id, Text

Direction = Literal["higher", "lower"]
Importance = Literal["must", "should"]


class KpiDefinition(Frozen, frozen=True, kw_only=True):
    """What a KPI measures and what counts as good: `direction` says which way is better."""

    kpi_id: Id
    name: Text
    unit: Text
    baseline: float
    target: float
    direction: Direction = "higher"
    importance: Importance = "must"


class Measurement(Frozen, frozen=True, kw_only=True):
    measurement_id: Id
    kpi_id: Id
    value: float
    at: datetime
    source: Text = "manual"


class KpiMeasured(Event, frozen=True, kw_only=True):
    """A KPI value observed at `at` (business time). One subclass per stage."""

    kpi_id: Id
    measurement_id: Id
    value: float
    source: Text = "manual"

    def measurement(self) -> Measurement:
        """Its KPI id and source interned: the facts and the read models keep every
        measurement, thousands for a launched KPI, and these words repeat in each (a 1M-event
        rebuild held about 90 MB of copies)."""
        return Measurement(
            measurement_id=self.measurement_id,
            kpi_id=sys.intern(self.kpi_id),
            value=self.value,
            at=self.at,
            source=sys.intern(self.source),
        )


class RecordMeasurement(Command, tag="record-measurement", frozen=True, kw_only=True):
    """Record one KPI value; `measurement_id` makes a resent measurement a no-op."""

    kpi_id: Id
    measurement_id: Id
    value: float
    source: Text = "manual"
