"""Pilot: an owner measures KPIs and resumes only their own initiatives."""

from __future__ import annotations

from events import gates, pilot
from events.base import Actor, Event
from events.errors import Forbidden
from events.kpis import RecordMeasurement
from services.pilot import decider
from tests.unit.deciders import given
from tests.unit.histories import (
    AT,
    CHAIR,
    ID,
    OTHER_OWNER,
    OWNER,
    TEAM_OWNER,
    decided,
    ready_for_g3,
    review,
)
from tests.unit.owners import handed_over

G3 = pilot.GATE


def measure(actor: Actor) -> RecordMeasurement:
    return RecordMeasurement(
        initiative_id=ID, at=AT, actor=actor, kpi_id="k-1", measurement_id="m-9", value=7
    )


def resume(actor: Actor) -> gates.Resume:
    return gates.Resume(initiative_id=ID, at=AT, actor=actor)


def resumed(actor: Actor) -> gates.InitiativeResumed:
    return G3.resumed(initiative_id=ID, at=AT, resumed_by=actor.id)


def held() -> list[Event]:
    return [*review(G3), *decided(G3, "hold")]


def test_the_owner_measures_a_kpi() -> None:
    given(decider, ready_for_g3()).when(measure(OWNER)).then(
        pilot.KpiMeasured(initiative_id=ID, at=AT, kpi_id="k-1", measurement_id="m-9", value=7)
    )


def test_an_owner_may_not_measure_a_kpi_of_someone_elses_pilot() -> None:
    given(decider, ready_for_g3()).when(measure(OTHER_OWNER)).refused(Forbidden, "pilot work")


def test_an_owner_on_the_team_resumes_a_held_pilot() -> None:
    given(decider, ready_for_g3(), held()).when(resume(TEAM_OWNER)).then(resumed(TEAM_OWNER))


def test_an_owner_may_not_resume_someone_elses_pilot() -> None:
    given(decider, ready_for_g3(), held()).when(resume(OTHER_OWNER)).refused(Forbidden, "resume")


def test_the_committee_resumes_every_pilot() -> None:
    given(decider, ready_for_g3(), held()).when(resume(CHAIR)).then(resumed(CHAIR))


def test_a_held_pilot_is_handed_over_and_its_new_owner_resumes_it() -> None:
    history = [*ready_for_g3(), *held(), handed_over(G3, CHAIR)]
    given(decider, history).when(resume(OTHER_OWNER)).then(resumed(OTHER_OWNER))
