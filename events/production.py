"""Production (after G4): KPI measurements keep arriving; a value on the wrong side of its
target raises KpiBreached and a re-review request. The MVP service emits these events.
"""

from __future__ import annotations

from typing import Literal

import msgspec

from events import kpis
from events.base import Command, Event, Id, LongText, Text, event_type
from events.kpis import Direction, RecordMeasurement

ReReviewOutcome = Literal["continue", "retire"]


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


class ReReviewDecided(Event, tag=_t("re_review_decided"), frozen=True, kw_only=True):
    """The committee's answer to a re-review: keep it running, or retire it (terminal)."""

    decision: ReReviewOutcome
    rationale: LongText
    decided_by: Id


class DecideReReview(Command, tag="decide-re-review", frozen=True, kw_only=True):
    decision: ReReviewOutcome
    rationale: LongText


AnyProductionEvent = KpiMeasured | KpiBreached | ReReviewRequested | ReReviewDecided
ProductionCommand = RecordMeasurement | DecideReReview
EVENT_DECODER = msgspec.json.Decoder(AnyProductionEvent)
COMMAND_DECODER = msgspec.json.Decoder(ProductionCommand)
