"""Facts: everything the gate criteria look at, folded from any stage's events.

Stage deciders keep a Facts in their state and the readiness view folds the same
events with the same `apply`, so the readiness shown is the readiness enforced.
"""

from __future__ import annotations

from operator import attrgetter
from typing import assert_never

from msgspec.structs import replace

from events import (
    business_case,
    compliance,
    gates,
    ideation,
    kpis,
    mvp,
    people,
    pilot,
    poc,
    production,
)
from events.catalog import AnyEvent
from events.gates import Condition, Handoff
from events.kpis import KpiDefinition, Measurement
from events.records import ConditionState, Facts, Kpi
from events.stage_facts import apply_ideation, apply_mvp, apply_pilot, apply_poc

__all__ = ["Facts", "Kpi", "apply", "handoff", "kpi_on_target", "latest", "on_target"]
_ID = attrgetter("measurement_id")


# KPI on-target logic: the one place that says whether a KPI is where it should be.


def on_target(kpi: KpiDefinition, value: float) -> bool:
    return value >= kpi.target if kpi.direction == "higher" else value <= kpi.target


def latest(kpi: Kpi) -> Measurement | None:
    return max(kpi.measurements, key=lambda m: m.at, default=None)


def kpi_on_target(kpi: Kpi) -> bool:
    """False while a KPI has no measurement: unmeasured is not on target."""
    last = latest(kpi)
    return last is not None and on_target(kpi.definition, last.value)


def kpis_of(facts: Facts, importance: kpis.Importance) -> list[Kpi]:
    return [k for k in facts.kpis.values() if k.definition.importance == importance]


def measured(facts: Facts, measurement_id: str) -> bool:
    # `in` over a map runs in C: launched KPIs hold thousands of measurements
    return any(measurement_id in map(_ID, k.measurements) for k in facts.kpis.values())


def open_conditions(facts: Facts) -> tuple[Condition, ...]:
    return tuple(
        Condition(condition_id=cid, text=c.text)
        for cid, c in facts.conditions.items()
        if not c.fulfilled
    )


def handoff(facts: Facts, new_conditions: tuple[Condition, ...] = ()) -> Handoff:
    """What the next stage starts from; open conditions include those just set."""
    return Handoff(
        title=facts.title or "untitled",
        owner=facts.owner or "unknown",
        sponsor=facts.sponsor or "unknown",
        risk_class=facts.risk_class or facts.risk_preclass,
        kpis=tuple(k.definition for k in facts.kpis.values()),
        measurements=tuple(m for k in facts.kpis.values() for m in k.measurements),
        open_conditions=open_conditions(facts) + new_conditions,
        accountable=facts.accountable,
        owner_account=facts.owner_account,
        team_members=facts.team_members,
        business_case=facts.business_case,
        compliance=facts.compliance,
    )


def apply(facts: Facts, event: AnyEvent) -> Facts:
    """Fold one event of any stage into the facts."""
    match event:
        case kpis.KpiMeasured():  # the most frequent first: each case is an isinstance
            return _recorded(facts, event.measurement())
        case gates.StageOpened():
            return _opened(facts, event.handoff)
        case gates.ConditionFulfilled():
            done = ConditionState(text=_condition_text(facts, event.condition_id), fulfilled=True)
            return replace(facts, conditions={**facts.conditions, event.condition_id: done})
        case (
            gates.GateReviewRequested()
            | gates.GateVoteCast()
            | gates.GateDecided()
            | gates.InitiativeResumed()
            | gates.ReviewOverdue()
            | production.ReReviewRequested()
            | production.ReReviewDecided()
        ):
            return facts
        case people.OwnershipHandedOver():
            return replace(facts, owner=event.owner, owner_account=event.owner_account)
        case business_case.BusinessCaseRefined():
            return replace(facts, business_case=event.case)
        case compliance.AiRoleRecorded():
            return replace(facts, compliance=compliance.with_role(facts.compliance, event))
        case compliance.ObligationStatusRecorded():
            return replace(facts, compliance=compliance.with_status(facts.compliance, event))
        case production.KpiBreached():
            return replace(facts, breached=facts.breached | {event.kpi_id})
        case (
            ideation.IdeaProposed()
            | ideation.IdeaRefined()
            | ideation.WorkshopHeld()
            | ideation.IdeaScored()
            | ideation.SourcingDecided()
            | ideation.RiskPreclassified()
        ):
            return apply_ideation(facts, event)
        case (
            poc.HypothesisAdded()
            | poc.ExperimentResultRecorded()
            | poc.DataSourceConfirmed()
            | poc.ModelChosen()
            | poc.RiskClassConfirmed()
        ):
            return apply_poc(facts, event)
        case (
            pilot.PilotScopeDefined()
            | pilot.KpiDefined()
            | pilot.OversightDesigned()
            | pilot.IncidentReported()
            | pilot.IncidentStatusChanged()
            | pilot.IncidentAcknowledged()
            | pilot.IncidentEscalated()
            | pilot.FeedbackRecorded()
        ):
            return apply_pilot(facts, event)
        case mvp.DocumentRecorded() | mvp.MonitoringConfigured() | mvp.ReleaseChecklistUpdated():
            return apply_mvp(facts, event)
        case _:
            assert_never(event)


def _condition_text(facts: Facts, condition_id: str) -> str:
    known = facts.conditions.get(condition_id)
    return known.text if known else condition_id


def _opened(facts: Facts, h: Handoff) -> Facts:
    """Merge the handoff: the projection folds all stages, a decider starts from nothing."""
    kpis_ = dict(facts.kpis)
    for d in h.kpis:
        kpis_[d.kpi_id] = (
            replace(kpis_[d.kpi_id], definition=d) if d.kpi_id in kpis_ else Kpi(definition=d)
        )
    merged = replace(facts, kpis=kpis_)
    for m in h.measurements:
        merged = merged if measured(merged, m.measurement_id) else _recorded(merged, m)
    conditions = {c.condition_id: ConditionState(text=c.text) for c in h.open_conditions}
    return replace(
        merged,
        title=h.title,
        owner=h.owner,
        sponsor=h.sponsor,
        risk_class=facts.risk_class or h.risk_class,
        conditions={**conditions, **facts.conditions},
        accountable=h.accountable or facts.accountable,
        owner_account=h.owner_account,
        team_members=h.team_members or facts.team_members,
        business_case=facts.business_case or h.business_case,
        compliance=compliance.merged(facts.compliance, h.compliance),
    )


def _recorded(facts: Facts, m: Measurement) -> Facts:
    """A recorded measurement is new: its decider refused a known id (`measured`). Only a
    handoff may repeat one (the projection folds every stage), so only `_opened` checks;
    checking here would scan every measurement per event, and launched KPIs collect
    thousands."""
    kpi = facts.kpis.get(m.kpi_id)
    if kpi is None:
        return facts
    kpi = replace(kpi, measurements=kpi.measurements + (m,))  # noqa: RUF005 (faster)
    # only a breached KPI can change state: the others skip the scan for the latest value
    recovered = m.kpi_id in facts.breached and kpi_on_target(kpi)
    breached = facts.breached - {m.kpi_id} if recovered else facts.breached
    return replace(facts, kpis={**facts.kpis, m.kpi_id: kpi}, breached=breached)
