"""Refining the business case, in every stage's decider: recorded in the stage that holds the
initiative, a no-op when nothing changed (also across a gate: the handoff carries the case),
refused when the stage is not live, and only by those who may record its work."""

from __future__ import annotations

from types import ModuleType

import pytest
from msgspec.structs import replace

from events import ideation, mvp, pilot, poc
from events.base import Actor, Event
from events.business_case import BusinessCase, BusinessCaseRefined, RefineBusinessCase
from events.errors import Forbidden, Invalid, NotOpen, Refused
from events.gates import Handoff
from services.ideation import decider as ideation_decider
from services.mvp import decider as mvp_decider
from services.pilot import decider as pilot_decider
from services.poc import decider as poc_decider
from tests.unit.deciders import given
from tests.unit.histories import (
    AT,
    CONTRIBUTOR,
    ID,
    OTHER_OWNER,
    OWNER,
    TEAM_OWNER,
    VIEWER,
    decided,
    handoff,
    mvp_opened,
    pilot_opened,
    poc_opened,
    proposed,
    ready_for_g3,
    ready_for_g4,
)

CASE = BusinessCase(expected_annual_value=120_000, one_off_cost=80_000,
                    running_cost_per_year=20_000, confidence="low")  # fmt: skip
BETTER = replace(CASE, confidence="medium", kpi_id="k-1", value_per_unit=4_000)


def refine(case: BusinessCase = CASE, actor: Actor = OWNER) -> RefineBusinessCase:
    return RefineBusinessCase(initiative_id=ID, at=AT, actor=actor, case=case)


def refined(
    event: type[BusinessCaseRefined], case: BusinessCase = CASE, by: Actor = OWNER
) -> BusinessCaseRefined:
    return event(initiative_id=ID, at=AT, case=case, refined_by=by.id)


def opened_with(stage: type[Event], case: BusinessCase) -> list[Event]:
    h: Handoff = replace(handoff(), business_case=case)
    return [stage(initiative_id=ID, at=AT, handoff=h)]  # type: ignore[call-arg]


STAGES: list[tuple[ModuleType, list[Event], type[BusinessCaseRefined]]] = [
    (ideation_decider, proposed(), ideation.BusinessCaseRefined),
    (poc_decider, poc_opened(), poc.BusinessCaseRefined),
    (pilot_decider, pilot_opened(), pilot.BusinessCaseRefined),
    (mvp_decider, mvp_opened(), mvp.BusinessCaseRefined),
]
IDS = ["ideation", "poc", "pilot", "mvp"]


@pytest.mark.parametrize(("decider", "history", "event"), STAGES, ids=IDS)
def test_each_stage_records_the_case_in_its_own_stream(
    decider: ModuleType, history: list[Event], event: type[BusinessCaseRefined]
) -> None:
    given(decider, history).when(refine()).then(refined(event))


@pytest.mark.parametrize(("decider", "history", "event"), STAGES, ids=IDS)
def test_the_same_case_again_is_a_no_op(
    decider: ModuleType, history: list[Event], event: type[BusinessCaseRefined]
) -> None:
    given(decider, history, [refined(event)]).when(refine()).ignored()


@pytest.mark.parametrize(("decider", "history", "event"), STAGES, ids=IDS)
def test_a_killed_initiative_keeps_its_case(
    decider: ModuleType, history: list[Event], event: type[BusinessCaseRefined]
) -> None:
    kit = decider.KIT
    killed = given(decider, history, decided(kit, "kill")).when(refine(BETTER))
    killed.refused(Refused, "killed")


@pytest.mark.parametrize(("decider", "history", "event"), STAGES, ids=IDS)
def test_an_initiative_on_hold_is_resumed_first(
    decider: ModuleType, history: list[Event], event: type[BusinessCaseRefined]
) -> None:
    held = given(decider, history, decided(decider.KIT, "hold")).when(refine())
    held.refused(Refused, "on hold")


def test_the_case_carried_over_by_the_gate_is_not_recorded_again() -> None:
    given(poc_decider, opened_with(poc.PocOpened, CASE)).when(refine()).ignored()


def test_a_changed_case_after_the_gate_is_recorded_by_the_new_stage() -> None:
    cheaper = replace(CASE, one_off_cost=60_000)
    history = opened_with(poc.PocOpened, CASE)
    given(poc_decider, history).when(refine(cheaper)).then(
        refined(poc.BusinessCaseRefined, cheaper)
    )


def test_a_stage_that_moved_on_refuses_and_names_the_next() -> None:
    history = [*proposed(), *decided(ideation.GATE, "go")]
    given(ideation_decider, history).when(refine()).refused(Refused, "moved on to poc")


def test_a_stage_not_open_yet_refuses() -> None:
    given(pilot_decider).when(refine()).refused(NotOpen, "not open yet")


def test_after_launch_the_case_is_still_refined() -> None:
    history = [*ready_for_g4(), *decided(mvp.GATE, "go")]
    given(mvp_decider, history).when(refine(BETTER)).then(refined(mvp.BusinessCaseRefined, BETTER))


def test_a_contributor_and_a_team_member_refine_it() -> None:
    given(poc_decider, poc_opened()).when(refine(actor=CONTRIBUTOR)).then(
        refined(poc.BusinessCaseRefined, by=CONTRIBUTOR)
    )
    given(poc_decider, poc_opened()).when(refine(actor=TEAM_OWNER)).then(
        refined(poc.BusinessCaseRefined, by=TEAM_OWNER)
    )


def test_an_owner_of_other_initiatives_and_a_viewer_may_not() -> None:
    given(poc_decider, poc_opened()).when(refine(actor=OTHER_OWNER)).refused(Forbidden)
    given(poc_decider, poc_opened()).when(refine(actor=VIEWER)).refused(Forbidden)


def test_the_kpi_must_be_one_of_the_initiatives_once_it_has_kpis() -> None:
    unknown = replace(BETTER, kpi_id="k-9")
    refused = given(pilot_decider, ready_for_g3()).when(refine(unknown)).refused(Invalid)
    assert "k-1 (Triage time)" in refused.detail
    given(pilot_decider, ready_for_g3()).when(refine(BETTER)).then(
        refined(pilot.BusinessCaseRefined, BETTER)
    )


def test_a_planned_kpi_is_accepted_before_kpis_exist() -> None:
    planned = replace(BETTER, kpi_id="energy")
    given(ideation_decider, proposed()).when(refine(planned)).then(
        refined(ideation.BusinessCaseRefined, planned)
    )


def test_a_value_per_unit_needs_its_kpi() -> None:
    loose = replace(CASE, value_per_unit=10)
    given(ideation_decider, proposed()).when(refine(loose)).refused(Invalid, "kpi_id")
