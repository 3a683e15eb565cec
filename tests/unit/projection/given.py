"""Events for one initiative, at business times T(0), T(1), ... days from a fixed start."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from events import ideation, pilot, poc
from events.gates import Condition, Handoff
from events.kpis import KpiDefinition

I = "i-1"  # noqa: E741
START = datetime(2025, 1, 1, tzinfo=UTC)


def T(days: float) -> datetime:  # noqa: N802
    return START + timedelta(days=days)


def proposed(at: float = 0, **over: object) -> ideation.IdeaProposed:
    fields: dict[str, object] = {
        "initiative_id": I, "at": T(at), "title": "Invoice triage",
        "problem_statement": "Slow invoices", "business_goal": "Pay on time", "sponsor": "cfo",
        "owner": "ana", "team": ("ana", "bo"), "tags": ("finance",),
    }  # fmt: skip
    return ideation.IdeaProposed(**{**fields, **over})  # type: ignore[arg-type]


def ideation_work(at: float = 1) -> list[object]:
    return [
        ideation.IdeaScored(initiative_id=I, at=T(at), value=4, feasibility=4, risk=2,
                            strategic_fit=4, priority=4.0),
        ideation.SourcingDecided(initiative_id=I, at=T(at), sourcing="build", rationale="core"),
        ideation.RiskPreclassified(initiative_id=I, at=T(at), risk_class="limited", rationale="r"),
        ideation.WorkshopHeld(initiative_id=I, at=T(at), workshop_id="w1", held_on=T(at).date(),
                              participants=("ana",), outcome="good"),
    ]  # fmt: skip


def review(at: float, cls: type = ideation.GateReviewRequested, gate: str = "G1") -> object:
    return cls(initiative_id=I, at=T(at), gate=gate, requested_by="ana", criteria_version="2025.1")


def vote(at: float, vote_id: str, decision: str = "go", cls: type = ideation.GateVoteCast,
         gate: str = "G1", conditions: tuple[Condition, ...] = ()) -> object:  # fmt: skip
    return cls(initiative_id=I, at=T(at), gate=gate, vote_id=vote_id, voter=f"v-{vote_id}",
               decision=decision, rationale=f"because {decision}",
               conditions=conditions)  # fmt: skip


def handoff(**over: object) -> Handoff:
    return Handoff(title="Invoice triage", owner="ana", sponsor="cfo", **over)  # type: ignore[arg-type]


def decided(at: float, decision: str = "go", cls: type = ideation.GateDecided, gate: str = "G1",
            conditions: tuple[Condition, ...] = ()) -> object:  # fmt: skip
    passing = decision in ("go", "conditional_go")
    return cls(initiative_id=I, at=T(at), gate=gate, decision=decision, rationale="decided",
               conditions=conditions, decided_by=("v-1",), criteria_version="2025.1", quorum=1,
               handoff=handoff(open_conditions=conditions) if passing else None)  # fmt: skip


def poc_opened(at: float) -> poc.PocOpened:
    return poc.PocOpened(initiative_id=I, at=T(at), handoff=handoff())


def kpi(kpi_id: str = "k1", direction: str = "higher", target: float = 10) -> pilot.KpiDefined:
    d = KpiDefinition(kpi_id=kpi_id, name="Accuracy", unit="%", baseline=5, target=target,
                      direction=direction)  # type: ignore[arg-type]  # fmt: skip
    return pilot.KpiDefined(initiative_id=I, at=T(20), kpi=d)


def measured(at: float, value: float, mid: str, kpi_id: str = "k1") -> pilot.KpiMeasured:
    return pilot.KpiMeasured(initiative_id=I, at=T(at), kpi_id=kpi_id, measurement_id=mid,
                             value=value)  # fmt: skip
