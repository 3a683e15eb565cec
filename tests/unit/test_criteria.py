"""Gate criteria: every must-meet criterion of every gate, should-meet scores, versions."""

from __future__ import annotations

from collections.abc import Callable
from functools import reduce

import pytest
from msgspec.structs import replace

from events.criteria import CRITERIA, CURRENT_VERSION, QUORUM, evaluate
from events.facts import Facts, apply
from events.gates import Gate
from events.kpis import Measurement
from events.records import ConditionState, Document, Hypothesis, Incident
from tests.unit.histories import (
    AT,
    CONDITION,
    ready_for_g1,
    ready_for_g2,
    ready_for_g3,
    ready_for_g4,
)

READY: dict[Gate, Facts] = {
    "G1": reduce(apply, ready_for_g1(), Facts()),  # type: ignore[arg-type]
    "G2": reduce(apply, ready_for_g2(), Facts()),  # type: ignore[arg-type]
    "G3": reduce(apply, ready_for_g3(), Facts()),  # type: ignore[arg-type]
    "G4": reduce(apply, ready_for_g4(), Facts()),  # type: ignore[arg-type]
}
CONDITIONS = "Conditions from an earlier conditional_go fulfilled"
OPEN = {CONDITION.condition_id: ConditionState(text=CONDITION.text)}


def with_measurement(f: Facts, value: float) -> Facts:
    kpi = f.kpis["k-1"]
    m = Measurement(
        measurement_id="late",
        kpi_id="k-1",
        value=value,
        at=AT.replace(hour=10),
    )
    return replace(f, kpis={"k-1": replace(kpi, measurements=(*kpi.measurements, m))})


def unresulted(f: Facts) -> Facts:
    extra = Hypothesis(statement="s", metric="m", comparator=">=", threshold=1)
    return replace(f, hypotheses={**f.hypotheses, "h-2": extra})


def unvalidated(f: Facts) -> Facts:
    return replace(f, hypotheses={k: replace(h, validated=False) for k, h in f.hypotheses.items()})


def two_measurements(f: Facts) -> Facts:
    kpi = f.kpis["k-1"]
    return replace(f, kpis={"k-1": replace(kpi, measurements=kpi.measurements[1:])})


def high_risk_documented(f: Facts) -> Facts:
    """High risk with every document: only the obligations due before launch are open."""
    kinds = ("model_card", "decision_logic", "data_sheet", "dpia", "runbook")
    docs = {k: Document(document_id=k, version=1, link="l", author="a") for k in kinds}
    return replace(f, risk_class="high", documents=docs)  # type: ignore[arg-type]


def without_runbook(f: Facts) -> Facts:
    return replace(f, documents={k: d for k, d in f.documents.items() if k != "runbook"})


CRITICAL = {"i-1": Incident(title="Outage", severity="critical")}
PROBLEM = "Problem statement and business goal present"
PRECLASS = "EU AI Act risk pre-classified and not prohibited"
HYPOTHESIS = "At least one hypothesis with a success criterion"
VALIDATED = "At least one hypothesis validated"
RESULTS = "Every hypothesis has a result"
RISK_CLASS = "Risk class confirmed (and not prohibited)"
KPIS = "KPIs defined with baseline and target (at least one must KPI)"
THREE = "At least 3 measurements per must KPI"
ON_TARGET = "Every must KPI on target"
BREAKS: list[tuple[Gate, Callable[[Facts], Facts], set[str]]] = [
    ("G1", lambda f: replace(f, problem_statement=None), {PROBLEM}),
    ("G1", lambda f: replace(f, business_goal=None), {PROBLEM}),
    ("G1", lambda f: replace(f, sponsor=None), {"Sponsor and owner named"}),
    ("G1", lambda f: replace(f, owner=None), {"Sponsor and owner named"}),
    ("G1", lambda f: replace(f, scores=None), {"Idea scored"}),
    ("G1", lambda f: replace(f, sourcing=None), {"Sourcing decided (build, buy or partner)"}),
    ("G1", lambda f: replace(f, risk_preclass="prohibited"), {PRECLASS}),
    ("G1", lambda f: replace(f, risk_preclass=None), {PRECLASS}),
    ("G2", lambda f: replace(f, hypotheses={}), {HYPOTHESIS, RESULTS, VALIDATED}),
    ("G2", unresulted, {RESULTS}),
    ("G2", unvalidated, {VALIDATED}),
    ("G2", lambda f: replace(f, data_sources={}), {"Data sources confirmed"}),
    ("G2", lambda f: replace(f, risk_confirmed=False), {RISK_CLASS}),
    ("G2", lambda f: replace(f, risk_class="prohibited"), {RISK_CLASS}),
    ("G2", lambda f: replace(f, conditions=OPEN), {CONDITIONS}),
    ("G3", lambda f: replace(f, kpis={}), {KPIS, THREE, ON_TARGET}),
    ("G3", two_measurements, {THREE}),
    ("G3", lambda f: with_measurement(f, 15), {ON_TARGET}),
    ("G3", lambda f: replace(f, oversight=None), {"Human oversight defined"}),
    ("G3", lambda f: replace(f, incidents=CRITICAL), {"No open critical incident"}),
    ("G3", lambda f: replace(f, conditions=OPEN), {CONDITIONS}),
    ("G4", without_runbook, {"Documentation complete for the risk class"}),
    ("G4", lambda f: replace(f, monitoring=None), {"Monitoring configured"}),
    ("G4", lambda f: with_measurement(f, 15), {ON_TARGET}),
    ("G4", lambda f: replace(f, accountable=None), {"Accountable owner named"}),
    ("G4", lambda f: replace(f, conditions=OPEN), {CONDITIONS}),
    ("G4", high_risk_documented, {"EU AI Act obligations due before launch are met"}),
]


@pytest.mark.parametrize("gate", ["G1", "G2", "G3", "G4"])
def test_the_ready_facts_meet_every_must_meet_criterion(gate: Gate) -> None:
    readiness = evaluate(gate, READY[gate])
    assert readiness.must_met
    assert readiness.unmet == ()


@pytest.mark.parametrize(
    ("gate", "breaks", "unmet"), BREAKS, ids=[f"{g}: {min(u)}" for g, _, u in BREAKS]
)
def test_each_missing_fact_leaves_exactly_its_must_meet_criteria_unmet(
    gate: Gate, breaks: Callable[[Facts], Facts], unmet: set[str]
) -> None:
    readiness = evaluate(gate, breaks(READY[gate]))
    assert not readiness.must_met
    assert set(readiness.unmet) == unmet


def test_every_must_meet_criterion_is_covered_by_a_test() -> None:
    covered = {description for _, _, unmet in BREAKS for description in unmet}
    musts = {c.description for g in CRITERIA[CURRENT_VERSION].values() for c in g if c.must}
    assert musts == covered


def test_a_resolved_critical_incident_no_longer_blocks_g3() -> None:
    resolved = {"i-1": Incident(title="Outage", severity="critical", status="resolved")}
    assert evaluate("G3", replace(READY["G3"], incidents=resolved)).must_met


@pytest.mark.parametrize(
    ("risk", "kinds", "met"),
    [
        ("high", ("model_card", "runbook"), False),
        ("high", ("model_card", "decision_logic", "data_sheet", "dpia", "runbook"), True),
        ("limited", ("runbook",), False),
        ("limited", ("model_card", "runbook"), True),
        ("minimal", ("runbook",), True),
        ("minimal", ("model_card",), False),
    ],
)
def test_the_documentation_required_depends_on_the_risk_class(
    risk: str, kinds: tuple[str, ...], met: bool
) -> None:
    docs = {k: Document(document_id=k, version=1, link="l", author="a") for k in kinds}
    facts = replace(READY["G4"], risk_class=risk, documents=docs)
    documentation = next(c for c in evaluate("G4", facts).criteria if c.id == "g4.documentation")
    assert documentation.met is met


def test_the_should_meet_score_weighs_the_criteria_met() -> None:
    assert evaluate("G1", READY["G1"]).score == 57  # priority 2, tags 1, team 1 of 7
    with_workshop = replace(READY["G1"], workshops=("w-1",))
    assert evaluate("G1", with_workshop).score == 100


def test_the_overall_percent_counts_every_criterion_met() -> None:
    assert evaluate("G1", READY["G1"]).percent == 89  # 8 of 9
    assert evaluate("G1", Facts()).percent == 0


def test_each_criterion_explains_itself_in_one_line_with_its_evidence() -> None:
    result = next(r for r in evaluate("G2", READY["G2"]).criteria if r.id == "g2.data_sources")
    assert result.explanation == "1 data source confirmed: ERP"
    assert result.evidence == "1 data source confirmed: ERP"


def test_readiness_names_the_criteria_version() -> None:
    assert evaluate("G1", READY["G1"]).version == CURRENT_VERSION
    with pytest.raises(KeyError):
        evaluate("G1", READY["G1"], version="1999.1")


def test_g3_and_g4_need_two_committee_votes_g1_and_g2_one() -> None:
    assert QUORUM == {"G1": 1, "G2": 1, "G3": 2, "G4": 2}
