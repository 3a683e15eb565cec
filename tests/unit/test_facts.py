"""The facts fold: one `apply` for deciders and the readiness view alike."""

from __future__ import annotations

from collections.abc import Sequence
from functools import reduce

from msgspec.structs import replace

from events import ideation, mvp, pilot, poc, production
from events.base import Event
from events.criteria import evaluate
from events.facts import Facts, apply, kpi_on_target, latest
from events.kpis import Direction, KpiDefinition
from events.records import Kpi
from services.poc import decider as poc_decider
from tests.unit.histories import (
    AT,
    CONDITION,
    ID,
    TRIAGE_TIME,
    at,
    decided,
    handoff,
    measurements,
    pilot_opened,
    poc_opened,
    ready_for_g1,
    ready_for_g2,
    ready_for_g3,
    review,
)


def fold(*histories: Sequence[Event]) -> Facts:
    return reduce(apply, [e for h in histories for e in h], Facts())  # type: ignore[arg-type]


def kpi(direction: Direction, *values: float) -> Kpi:
    definition = KpiDefinition(
        kpi_id="k-1", name="x", unit="u", baseline=0, target=10, direction=direction
    )
    defined = [pilot.KpiDefined(initiative_id=ID, at=AT, kpi=definition)]
    return fold(pilot_opened(), defined, measurements(pilot.KpiMeasured, *values)).kpis["k-1"]


def test_a_refinement_changes_only_the_fields_it_names() -> None:
    refined = ideation.IdeaRefined(initiative_id=ID, at=AT, title="Invoice routing")
    facts = fold(ready_for_g1(), [refined])
    assert facts.title == "Invoice routing"
    assert facts.sponsor == "Sam"


def test_a_kpi_where_higher_is_better_is_on_target_at_or_above_it() -> None:
    assert kpi_on_target(kpi("higher", 3, 10))
    assert not kpi_on_target(kpi("higher", 12, 9))


def test_a_kpi_where_lower_is_better_is_on_target_at_or_below_it() -> None:
    assert kpi_on_target(kpi("lower", 30, 10))
    assert not kpi_on_target(kpi("lower", 5, 11))


def test_an_unmeasured_kpi_is_not_on_target() -> None:
    assert not kpi_on_target(kpi("higher"))


def test_the_latest_measurement_is_the_latest_in_business_time_not_arrival() -> None:
    late_arrival = pilot.KpiMeasured(
        initiative_id=ID, at=at(-60), kpi_id="k-1", measurement_id="old", value=99
    )
    facts = fold(ready_for_g3(), [late_arrival])
    last = latest(facts.kpis["k-1"])
    assert last is not None
    assert last.value == 8


def test_a_handoff_repeating_a_measurement_folds_it_once() -> None:
    before = fold(ready_for_g3())
    repeated = handoff(kpis=(TRIAGE_TIME,))
    repeated = replace(repeated, measurements=before.kpis["k-1"].measurements)
    facts = fold(ready_for_g3(), [mvp.MvpOpened(initiative_id=ID, at=AT, handoff=repeated)])
    assert facts.kpis["k-1"].measurements == before.kpis["k-1"].measurements


def test_a_measurement_of_an_unknown_kpi_changes_nothing() -> None:
    stray = pilot.KpiMeasured(initiative_id=ID, at=AT, kpi_id="k-9", measurement_id="x", value=1)
    assert fold(ready_for_g3(), [stray]) == fold(ready_for_g3())


def test_a_breach_is_remembered_until_the_kpi_is_back_on_target() -> None:
    breach = production.KpiBreached(
        initiative_id=ID, at=AT, kpi_id="k-1", measurement_id="p-1", value=14, target=10,
        direction="lower",
    )  # fmt: skip
    back = production.KpiMeasured(
        initiative_id=ID, at=at(90), kpi_id="k-1", measurement_id="p-2", value=9
    )
    assert fold(ready_for_g3(), [breach]).breached == {"k-1"}
    assert fold(ready_for_g3(), [breach, back]).breached == frozenset()


def test_a_fulfilled_condition_keeps_its_text() -> None:
    done = poc.ConditionFulfilled(initiative_id=ID, at=AT, condition_id="c-1", fulfilled_by="o")
    facts = fold(poc_opened(CONDITION), [done])
    assert facts.conditions["c-1"].fulfilled
    assert facts.conditions["c-1"].text == CONDITION.text


def test_an_incident_status_change_is_folded() -> None:
    reported = pilot.IncidentReported(
        initiative_id=ID, at=AT, incident_id="i-1", title="t", severity="high"
    )
    resolved = pilot.IncidentStatusChanged(
        initiative_id=ID, at=AT, incident_id="i-1", status="resolved"
    )
    assert fold(pilot_opened(), [reported, resolved]).incidents["i-1"].status == "resolved"


def test_opening_a_stage_merges_the_handoff_without_losing_earlier_facts() -> None:
    facts = fold(ready_for_g1(), decided(ideation.GATE, "go"), poc_opened(CONDITION))
    assert facts.scores is not None
    assert facts.risk_preclass == "limited"
    assert facts.conditions["c-1"].fulfilled is False


def test_opening_a_stage_keeps_a_confirmed_risk_class() -> None:
    facts = fold(ready_for_g2(), pilot_opened())
    assert facts.risk_confirmed
    assert facts.kpis == {}
    assert fold(ready_for_g3()).kpis["k-1"].definition == TRIAGE_TIME


def test_readiness_from_the_whole_lifecycle_equals_what_the_poc_decider_enforces() -> None:
    whole = fold(
        ready_for_g1(), review(ideation.GATE), decided(ideation.GATE, "go"), ready_for_g2()
    )
    enforced = reduce(poc_decider.evolve, ready_for_g2(), poc_decider.initial_state).facts  # type: ignore[arg-type]
    assert evaluate("G2", whole) == evaluate("G2", enforced)
