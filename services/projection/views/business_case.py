"""The business case on an initiative's row: every refinement with its stage, when spending
started and stopped, and the improvement its KPI accrued (views/value.py has the formulas).

The accrual follows the latest case's KPI: a measurement of that KPI at or after the last
one adds one interval; one out of order, a new KPI or a redefined baseline recomputes the
series once. So a launched KPI's thousands of measurements cost one step each, and the
portfolio reads this small document, never the series.
"""

from __future__ import annotations

from datetime import datetime

from msgspec.structs import replace

from events import business_case, gates, kpis, pilot, production
from events.base import Event, Frozen, stage_of
from events.business_case import BusinessCase
from events.gates import PASSING
from events.kpis import KpiDefinition
from events.records import Facts
from services.projection.views.value import Accrual, Spending, accrue, accrued


class CaseVersion(Frozen, frozen=True, kw_only=True):
    stage: str
    at: datetime
    refined_by: str
    case: BusinessCase


class CaseRow(Frozen, frozen=True, kw_only=True):
    history: tuple[CaseVersion, ...] = ()  # oldest first; the last one is in force
    spending: Spending = Spending()
    accrual: Accrual = Accrual()
    accrual_kpi: KpiDefinition | None = None  # the definition the accrual was computed with
    launched: bool = False  # past G4: the MVP's refinements are production's

    @property
    def latest(self) -> BusinessCase | None:
        return self.history[-1].case if self.history else None


def project(v: CaseRow, facts: Facts, event: Event) -> CaseRow:
    """`facts`: the initiative's facts with `event` applied (its KPIs and their series)."""
    match event:
        case kpis.KpiMeasured():
            return _measured(v, facts, event) if _follows(v, event.kpi_id) else v
        case business_case.BusinessCaseRefined():
            stage = "production" if v.launched else stage_of(event)
            version = CaseVersion(stage=stage, at=event.at, refined_by=event.refined_by,
                                  case=event.case)  # fmt: skip
            return _realigned(replace(v, history=(*v.history, version)), facts)
        case pilot.KpiDefined():
            return _realigned(v, facts) if _follows(v, event.kpi.kpi_id) else v
        case gates.StageOpened():
            return _realigned(_opened(v, stage_of(event), event.at), facts)
        case gates.GateDecided() if event.decision == "kill":
            return _stopped(v, event.at)
        case gates.GateDecided() if event.gate == "G4" and event.decision in PASSING:
            return replace(v, launched=True)
        case production.ReReviewDecided() if event.decision == "retire":
            return _stopped(v, event.at)
        case _:
            return v


def _follows(v: CaseRow, kpi_id: str) -> bool:
    latest = v.latest
    return latest is not None and latest.kpi_id == kpi_id


def _measured(v: CaseRow, facts: Facts, e: kpis.KpiMeasured) -> CaseRow:
    kpi = facts.kpis.get(e.kpi_id)
    if kpi is None:
        return v
    last = v.accrual.last_at
    if kpi.definition != v.accrual_kpi or (last is not None and e.at < last):
        return _realigned(replace(v, accrual_kpi=None), facts)
    return replace(v, accrual=accrue(v.accrual, kpi.definition, e.measurement()))


def _realigned(v: CaseRow, facts: Facts) -> CaseRow:
    """The accrual of the latest case's KPI, recomputed when its definition changed."""
    latest = v.latest
    kpi = facts.kpis.get(latest.kpi_id) if latest and latest.kpi_id else None
    if kpi is None:
        return replace(v, accrual=Accrual(), accrual_kpi=None)
    if kpi.definition == v.accrual_kpi:
        return v
    return replace(v, accrual=accrued(kpi.definition, kpi.measurements),
                   accrual_kpi=kpi.definition)  # fmt: skip


def _opened(v: CaseRow, stage: str, at: datetime) -> CaseRow:
    s = v.spending
    if stage == "poc" and s.poc_from is None:
        return replace(v, spending=replace(s, poc_from=at))
    if stage == "pilot" and s.pilot_from is None:
        return replace(v, spending=replace(s, pilot_from=at))
    return v


def _stopped(v: CaseRow, at: datetime) -> CaseRow:
    if v.spending.stopped_at is not None:
        return v
    return replace(v, spending=replace(v.spending, stopped_at=at))
