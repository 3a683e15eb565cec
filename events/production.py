"""Production (after G4): KPI measurements keep arriving; a value on the wrong side of its
target raises KpiBreached and a re-review request. The MVP service emits these events.
"""

from __future__ import annotations

import msgspec

from events import kpis
from events.base import Event, Id, Text, event_type
from events.kpis import Direction, RecordMeasurement


def _t(name: str) -> str:
    return event_type("production", name)


class KpiMeasured(kpis.KpiMeasured, tag=_t("kpi_measured"), frozen=True, kw_only=True): ...


class KpiBreached(Event, tag=_t("kpi_breached"), frozen=True, kw_only=True):
    kpi_id: Id
    measurement_id: Id
    value: float
    target: float
    direction: Direction


class ReReviewRequested(Event, tag=_t("re_review_requested"), frozen=True, kw_only=True):
    """Asks the committee to look at a launched initiative again."""

    kpi_id: Id
    reason: Text


AnyProductionEvent = KpiMeasured | KpiBreached | ReReviewRequested
ProductionCommand = RecordMeasurement
EVENT_DECODER = msgspec.json.Decoder(AnyProductionEvent)
COMMAND_DECODER = msgspec.json.Decoder(ProductionCommand)
