"""Gate criteria as versioned data, and `evaluate`: readiness of facts for a gate.

A criterion names a measure (events.measures), a comparator and a threshold. The
version in force is recorded on every gate decision, so old decisions stay explainable.
"""

from __future__ import annotations

import sys
from typing import Annotated, Literal

import msgspec

from events.base import Frozen
from events.facts import Facts
from events.gates import Gate
from events.measures import MEASURES

Comparator = Literal[">=", "<=", "=="]
COMPARATORS: dict[str, Comparator] = {">=": ">=", "<=": "<=", "==": "=="}


class Criterion(Frozen, frozen=True, kw_only=True):
    id: str
    gate: Gate
    must: bool
    weight: Annotated[int, msgspec.Meta(ge=0)]
    description: str
    measure: str
    comparator: Comparator
    threshold: float
    explain: str  # format string over {value}, {threshold}, {evidence}
    fixed_by: str = ""  # the stage work that fixes it while unmet (a page form's key)


class CriterionResult(Frozen, frozen=True, kw_only=True):
    id: str
    description: str
    must: bool
    weight: int
    met: bool
    explanation: str  # one sentence naming the evidence
    evidence: str
    fixed_by: str = ""  # the stage work that fixes it while unmet (a page form's key)


class Readiness(Frozen, frozen=True, kw_only=True):
    gate: Gate
    version: str
    criteria: tuple[CriterionResult, ...]
    must_met: bool
    unmet: tuple[str, ...]  # descriptions of unmet must-meet criteria
    score: int  # should-meet weighted score, 0-100
    percent: int  # share of all criteria met, 0-100


# criterion (its id, or the id without its gate) -> the stage work that fixes it: a form key
FIXED_BY: dict[str, str] = {
    "g2.risk": "poc-risk",
    "problem_goal": "refine",
    "sponsor_owner": "refine",
    "scored": "score",
    "sourcing": "sourcing",
    "risk": "risk",
    "workshop": "workshop",
    "priority": "score",
    "tags": "refine",
    "team": "refine",
    "hypothesis": "hypothesis",
    "results": "result",
    "validated": "result",
    "data_sources": "data-source",
    "conditions": "conditions",
    "model": "model",
    "sources": "data-source",
    "all_validated": "result",
    "kpis": "kpi",
    "measurements": "measurement",
    "on_target": "measurement",
    "oversight": "oversight",
    "incidents": "incident-status",
    "scope": "scope",
    "feedback": "feedback",
    "all_kpis": "measurement",
    "resolved": "incident-status",
    "documentation": "document",
    "monitoring": "monitoring",
    "accountable": "oversight",
    "checklist": "checklist",
    "metrics": "monitoring",
    "obligations": "obligation-status",
}


def _c(gate: Gate, cid: str, description: str, rule: str, *, must: bool, weight: int) -> Criterion:
    """rule: "measure comparator threshold | explanation template"."""
    test, explain = (part.strip() for part in rule.split("|", 1))
    measure, comparator, threshold = test.split()
    assert measure in MEASURES, measure
    return Criterion(
        id=cid, gate=gate, must=must, weight=weight, description=description, measure=measure,
        comparator=COMPARATORS[comparator], threshold=float(threshold), explain=explain,
        fixed_by=FIXED_BY.get(cid) or FIXED_BY.get(cid.split(".", 1)[1], ""),
    )  # fmt: skip


def _must(gate: Gate, cid: str, description: str, rule: str) -> Criterion:
    return _c(gate, cid, description, rule, must=True, weight=0)


def _should(gate: Gate, weight: int, cid: str, description: str, rule: str) -> Criterion:
    return _c(gate, cid, description, rule, must=False, weight=weight)


def _conditions(gate: Gate) -> Criterion:
    description = "Conditions from an earlier conditional_go fulfilled"
    rule = "conditions_open <= 0 | {evidence}"
    return _must(gate, f"{gate.lower()}.conditions", description, rule)


V2025_1: dict[Gate, tuple[Criterion, ...]] = {
    "G1": (
        _must("G1", "g1.problem_goal", "Problem statement and business goal present",
              "problem_and_goal >= 1 | {evidence}"),
        _must("G1", "g1.sponsor_owner", "Sponsor and owner named",
              "sponsor_and_owner >= 1 | {evidence}"),
        _must("G1", "g1.scored", "Idea scored", "scored >= 1 | {evidence}"),
        _must("G1", "g1.sourcing", "Sourcing decided (build, buy or partner)",
              "sourcing_decided >= 1 | {evidence}"),
        _must("G1", "g1.risk", "EU AI Act risk pre-classified and not prohibited",
              "risk_preclass_allowed >= 1 | {evidence}"),
        _should("G1", 3, "g1.workshop", "Ideation workshop held", "workshops >= 1 | {evidence}"),
        _should("G1", 2, "g1.priority", "Priority at least 3", "priority >= 3 | {evidence}"),
        _should("G1", 1, "g1.tags", "Tags present", "tags >= 1 | {evidence}"),
        _should("G1", 1, "g1.team", "Team named", "team >= 1 | {evidence}"),
    ),
    "G2": (
        _must("G2", "g2.hypothesis", "At least one hypothesis with a success criterion",
              "hypotheses >= 1 | {evidence}"),
        _must("G2", "g2.results", "Every hypothesis has a result",
              "hypotheses_without_result <= 0 | {evidence}"),
        _must("G2", "g2.validated", "At least one hypothesis validated",
              "hypotheses_validated >= 1 | {evidence}"),
        _must("G2", "g2.data_sources", "Data sources confirmed",
              "data_sources >= 1 | {evidence}"),
        _must("G2", "g2.risk", "Risk class confirmed (and not prohibited)",
              "risk_class_confirmed >= 1 | {evidence}"),
        _conditions("G2"),
        _should("G2", 3, "g2.model", "Model or tool chosen", "model_chosen >= 1 | {evidence}"),
        _should("G2", 2, "g2.sources", "More than one data source",
                "data_sources >= 2 | {evidence}"),
        _should("G2", 1, "g2.all_validated", "Every hypothesis validated",
                "hypotheses_not_validated <= 0 | {evidence}"),
    ),
    "G3": (
        _must("G3", "g3.kpis", "KPIs defined with baseline and target (at least one must KPI)",
              "must_kpis >= 1 | {evidence}"),
        _must("G3", "g3.measurements", "At least 3 measurements per must KPI",
              "fewest_must_measurements >= 3 | {evidence}"),
        _must("G3", "g3.on_target", "Every must KPI on target",
              "must_kpis_on_target >= 1 | {evidence}"),
        _must("G3", "g3.oversight", "Human oversight defined", "oversight >= 1 | {evidence}"),
        _must("G3", "g3.incidents", "No open critical incident",
              "open_critical_incidents <= 0 | {evidence}"),
        _conditions("G3"),
        _should("G3", 2, "g3.scope", "Pilot scope defined", "scope >= 1 | {evidence}"),
        _should("G3", 2, "g3.feedback", "User feedback collected", "feedback >= 1 | {evidence}"),
        _should("G3", 1, "g3.all_kpis", "Every KPI on target, should KPIs too",
                "all_kpis_on_target >= 1 | {evidence}"),
        _should("G3", 1, "g3.resolved", "No unresolved incident",
                "open_incidents <= 0 | {evidence}"),
    ),
    "G4": (
        _must("G4", "g4.documentation", "Documentation complete for the risk class",
              "missing_documents <= 0 | {evidence}"),
        _must("G4", "g4.monitoring", "Monitoring configured", "monitoring >= 1 | {evidence}"),
        _must("G4", "g4.on_target", "Every must KPI on target",
              "must_kpis_on_target >= 1 | {evidence}"),
        _must("G4", "g4.accountable", "Accountable owner named", "accountable >= 1 | {evidence}"),
        _conditions("G4"),
        _should("G4", 3, "g4.checklist", "Release readiness checklist complete",
                "checklist_open <= 0 | {evidence}"),
        _should("G4", 2, "g4.all_kpis", "Every KPI on target, should KPIs too",
                "all_kpis_on_target >= 1 | {evidence}"),
        _should("G4", 1, "g4.metrics", "Monitoring covers at least two metrics",
                "monitored_metrics >= 2 | {evidence}"),
    ),
}  # fmt: skip


def _revised(
    base: dict[Gate, tuple[Criterion, ...]], *changed: Criterion
) -> dict[Gate, tuple[Criterion, ...]]:
    """A new version: `base` with the criteria of the same id replaced."""
    by_id = {c.id: c for c in changed}
    return {gate: tuple(by_id.get(c.id, c) for c in cs) for gate, cs in base.items()}


# 2025.2: an empty list never satisfies "every" (2025.1 counted no hypothesis as all done)
V2025_2 = _revised(
    V2025_1,
    _must("G2", "g2.results", "Every hypothesis has a result",
          "every_hypothesis_has_result >= 1 | {evidence}"),
    _should("G2", 1, "g2.all_validated", "Every hypothesis validated",
            "every_hypothesis_validated >= 1 | {evidence}"),
)  # fmt: skip

# 2026.1: the EU AI Act obligations due before launch (events.obligations) are a G4 must
V2026_1 = {
    **V2025_2,
    "G4": (
        *(c for c in V2025_2["G4"] if c.must),
        _must("G4", "g4.obligations", "EU AI Act obligations due before launch are met",
              "obligations_due_open <= 0 | {evidence}"),
        *(c for c in V2025_2["G4"] if not c.must),
    ),
}  # fmt: skip

CRITERIA: dict[str, dict[Gate, tuple[Criterion, ...]]] = {
    "2025.1": V2025_1,
    "2025.2": V2025_2,
    "2026.1": V2026_1,
}
CURRENT_VERSION = "2026.1"
QUORUM: dict[Gate, int] = {"G1": 1, "G2": 1, "G3": 2, "G4": 2}
GATE_OF_STAGE: dict[str, Gate] = {"ideation": "G1", "poc": "G2", "pilot": "G3", "mvp": "G4"}


def check(criterion: Criterion, facts: Facts) -> CriterionResult:
    t = criterion.threshold
    value, evidence = MEASURES[criterion.measure](facts, t)
    met = {">=": value >= t, "<=": value <= t, "==": value == t}[criterion.comparator]
    line = criterion.explain.format(value=value, threshold=t, evidence=evidence)
    # interned: rows keep a readiness at every decision, mostly in the same words
    line, evidence = sys.intern(line), sys.intern(evidence)
    return CriterionResult(
        id=criterion.id, description=criterion.description, must=criterion.must,
        weight=criterion.weight, met=met, explanation=line, evidence=evidence,
        fixed_by=criterion.fixed_by,
    )  # fmt: skip


def evaluate(gate: Gate, facts: Facts, version: str = CURRENT_VERSION) -> Readiness:
    """Readiness of `facts` for `gate` under the criteria of `version`."""
    results = tuple(check(c, facts) for c in CRITERIA[version][gate])
    unmet = tuple(r.description for r in results if r.must and not r.met)
    should = [r for r in results if not r.must]
    total = sum(r.weight for r in should)
    gained = sum(r.weight for r in should if r.met)
    return Readiness(
        gate=gate,
        version=version,
        criteria=results,
        must_met=not unmet,
        unmet=unmet,
        score=round(100 * gained / total) if total else 100,
        percent=round(100 * sum(r.met for r in results) / len(results)) if results else 100,
    )
