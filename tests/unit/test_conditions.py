"""Conditions of a conditional_go: fulfilled once, by the owner or the committee."""

from __future__ import annotations

from events import gates, pilot
from events.base import Actor
from events.errors import Forbidden, NotFound
from services.pilot import decider as pilot_decider
from tests.unit.deciders import given
from tests.unit.histories import AT, CONDITION, CONTRIBUTOR, ID, OWNER, ready_for_g3

G3 = pilot.GATE


def fulfil(
    actor: Actor = OWNER, condition_id: str = CONDITION.condition_id
) -> gates.FulfilCondition:
    return gates.FulfilCondition(initiative_id=ID, at=AT, actor=actor, condition_id=condition_id)


def test_the_owner_fulfils_a_condition() -> None:
    given(pilot_decider, ready_for_g3(CONDITION)).when(fulfil()).then(
        G3.condition_fulfilled(initiative_id=ID, at=AT, condition_id="c-1", fulfilled_by=OWNER.id)
    )


def test_fulfilling_a_condition_twice_is_ignored() -> None:
    done = G3.condition_fulfilled(initiative_id=ID, at=AT, condition_id="c-1", fulfilled_by="olga")
    given(pilot_decider, ready_for_g3(CONDITION), [done]).when(fulfil()).ignored()


def test_fulfilling_an_unknown_condition_is_not_found() -> None:
    given(pilot_decider, ready_for_g3()).when(fulfil(condition_id="c-9")).refused(NotFound)


def test_a_contributor_may_not_fulfil_a_condition() -> None:
    given(pilot_decider, ready_for_g3(CONDITION)).when(fulfil(CONTRIBUTOR)).refused(Forbidden)
