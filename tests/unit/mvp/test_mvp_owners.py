"""MVP and production: an owner acts only on their own initiatives, also after launch;
a launched initiative is still handed over, a killed one is not."""

from __future__ import annotations

from events import gates, mvp, production
from events.base import Actor, Event
from events.criteria import CURRENT_VERSION
from events.errors import Forbidden, Refused
from events.kpis import RecordMeasurement
from services.mvp import decider
from tests.unit.deciders import given
from tests.unit.histories import (
    AT,
    CHAIR,
    ID,
    OTHER_OWNER,
    OWNER,
    TEAM_OWNER,
    decided,
    ready_for_g4,
    review,
)
from tests.unit.owners import OTTO, hand_over, handed_over

G4 = mvp.GATE


def launched() -> list[Event]:
    return [*ready_for_g4(), *review(G4), *decided(G4, "go")]


def measure(actor: Actor) -> RecordMeasurement:
    return RecordMeasurement(
        initiative_id=ID, at=AT, actor=actor, kpi_id="k-1", measurement_id="p-1", value=8
    )


def request(actor: Actor) -> gates.RequestGateReview:
    return gates.RequestGateReview(initiative_id=ID, at=AT, actor=actor)


def test_an_owner_may_not_request_the_g4_review_of_someone_elses_mvp() -> None:
    given(decider, ready_for_g4()).when(request(OTHER_OWNER)).refused(Forbidden, "G4 review")


def test_an_owner_on_the_team_requests_the_g4_review() -> None:
    given(decider, ready_for_g4()).when(request(TEAM_OWNER)).then(
        G4.review_requested(
            initiative_id=ID,
            at=AT,
            gate="G4",
            requested_by="tess",
            criteria_version=CURRENT_VERSION,
        )
    )


def test_after_launch_the_owner_measures_in_production() -> None:
    given(decider, launched()).when(measure(OWNER)).then(
        production.KpiMeasured(initiative_id=ID, at=AT, kpi_id="k-1", measurement_id="p-1", value=8)
    )


def test_after_launch_an_owner_may_not_measure_someone_elses_kpis() -> None:
    given(decider, launched()).when(measure(OTHER_OWNER)).refused(Forbidden, "mvp work")


def test_a_launched_initiative_is_handed_over() -> None:
    given(decider, launched()).when(hand_over(OWNER)).then(handed_over(G4, OWNER, OTTO))


def test_a_killed_initiative_is_not_handed_over() -> None:
    history = [*ready_for_g4(), *review(G4), *decided(G4, "kill")]
    given(decider, history).when(hand_over(CHAIR)).refused(Refused, "killed")
