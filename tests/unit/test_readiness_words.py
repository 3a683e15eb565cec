"""Readiness in plain sentences: the evidence is named, never an id or a Python repr, and an
empty list never satisfies "every"."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from functools import reduce

import pytest
from msgspec.structs import replace

from events import pilot, poc
from events.criteria import CRITERIA, CURRENT_VERSION, evaluate
from events.facts import Facts, apply
from events.gates import Gate
from events.kpis import KpiDefinition, Measurement
from events.records import Kpi
from tests.unit.histories import ready_for_g1, ready_for_g2, ready_for_g3, ready_for_g4

AT = datetime(2026, 3, 1, tzinfo=UTC)
ENERGY = KpiDefinition(
    kpi_id="k1", name="Energy use", unit="MWh/month", baseline=120, target=102, direction="lower"
)
HISTORIES = {"G1": ready_for_g1, "G2": ready_for_g2, "G3": ready_for_g3, "G4": ready_for_g4}
REPR = re.compile(r"[{}\[\]]|'\w+'|\bNone\b|\bTrue\b|\bFalse\b")


def criterion(gate: Gate, facts: Facts, cid: str, version: str = CURRENT_VERSION):  # type: ignore[no-untyped-def]
    return next(c for c in evaluate(gate, facts, version).criteria if c.id == cid)


def energy(*values: float) -> Facts:
    points = tuple(
        Measurement(measurement_id=f"m{i}", kpi_id="k1", value=v, at=AT + timedelta(days=i))
        for i, v in enumerate(values)
    )
    return Facts(kpis={"k1": Kpi(definition=ENERGY, measurements=points)})


def test_the_measurement_criterion_names_the_kpi_its_latest_value_and_its_target() -> None:
    # given three measurements of a lower-is-better KPI, the last on target
    facts = energy(110, 104, 100.2)
    # when the G3 readiness is evaluated
    c = criterion("G3", facts, "g3.measurements")
    # then the sentence names the evidence in words
    assert c.met
    assert c.explanation == (
        "3 of 3 measurements of Energy use, latest 100.2 MWh/month, target 102, lower is better"
    )


def test_too_few_measurements_say_how_many_of_how_many() -> None:
    c = criterion("G3", energy(110, 104), "g3.measurements")
    assert not c.met
    assert c.explanation.startswith("2 of 3 measurements of Energy use, latest 104 MWh/month")


def test_an_off_target_kpi_is_named_with_its_latest_value() -> None:
    c = criterion("G3", energy(110, 104, 130), "g3.on_target")
    assert not c.met
    assert c.explanation == (
        "Off target: Energy use latest 130 MWh/month, target 102, lower is better"
    )


def test_an_empty_hypothesis_list_does_not_satisfy_every_hypothesis_has_a_result() -> None:
    # given a proof of concept without any hypothesis
    facts = Facts(risk_class="limited", risk_confirmed=True, data_sources={"erp": "ERP"})
    # when its G2 readiness is evaluated
    readiness = evaluate("G2", facts)
    # then "every hypothesis has a result" and "every hypothesis validated" are unmet
    results = criterion("G2", facts, "g2.results")
    assert not results.met
    assert results.explanation == "No hypothesis yet, so none has a result"
    assert "Every hypothesis has a result" in readiness.unmet
    assert not criterion("G2", facts, "g2.all_validated").met


def test_a_hypothesis_without_result_is_named_by_its_statement() -> None:
    added = poc.HypothesisAdded(
        initiative_id="i",
        at=AT,
        hypothesis_id="h-7f3a",
        statement="Routing gets faster",
        metric="minutes",
        comparator="<=",
        threshold=5,
    )
    facts = apply(Facts(), added)
    c = criterion("G2", facts, "g2.results")
    assert not c.met
    assert "“Routing gets faster” (minutes <= 5)" in c.explanation
    assert "h-7f3a" not in c.explanation


def test_decisions_taken_under_2025_1_keep_their_old_rule() -> None:
    """The criteria version recorded on a decision explains it as it was decided."""
    assert criterion("G2", Facts(), "g2.results", "2025.1").met
    assert not criterion("G2", Facts(), "g2.results", "2025.2").met
    assert CURRENT_VERSION == "2026.1"


@pytest.mark.parametrize("gate", ["G1", "G2", "G3", "G4"])
@pytest.mark.parametrize("ready", [True, False], ids=["ready", "empty"])
def test_no_sentence_shows_an_internal_id_or_a_python_repr(gate: Gate, ready: bool) -> None:
    facts = reduce(apply, HISTORIES[gate](), Facts()) if ready else Facts()  # type: ignore[arg-type]
    for c in evaluate(gate, facts).criteria:
        assert not REPR.search(c.explanation), (c.id, c.explanation)
        assert not re.search(r"\b[a-z]+-\d\b", c.explanation), (c.id, c.explanation)  # k-1, h-1
        assert not c.explanation.startswith(("Met", "Unmet")), c.explanation


def test_every_criterion_names_the_stage_work_that_fixes_it() -> None:
    for criteria in CRITERIA[CURRENT_VERSION].values():
        for c in criteria:
            assert c.fixed_by, c.id
    assert criterion("G2", Facts(), "g2.risk").fixed_by == "poc-risk"
    assert criterion("G1", Facts(), "g1.risk").fixed_by == "risk"


def test_documents_are_named_by_kind_with_their_versions() -> None:
    facts = reduce(apply, ready_for_g4(), Facts())  # type: ignore[arg-type]
    c = criterion("G4", facts, "g4.documentation")
    assert c.explanation == (
        "Limited risk needs model card and runbook: all recorded (model card v1 and runbook v1)"
    )
    c = criterion("G4", replace(facts, documents={}), "g4.documentation")
    assert c.explanation.endswith("missing: model card and runbook")


def test_an_incident_left_open_is_named_with_its_severity() -> None:
    reported = pilot.IncidentReported(
        initiative_id="i",
        at=AT,
        incident_id="inc-1",
        title="Wrong cost centre",
        severity="critical",
    )
    facts = apply(Facts(), reported)
    assert criterion("G3", facts, "g3.incidents").explanation == (
        "1 critical incident open: “Wrong cost centre”"
    )
