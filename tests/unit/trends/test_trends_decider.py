"""Trends: added, edited, moved between rings with a rationale, linked to initiatives."""

from __future__ import annotations

import msgspec
import pytest

from events import trends
from events.base import SYSTEM, Actor
from events.errors import Forbidden, Invalid, NotFound, Refused
from services.trends import decider
from tests.unit.deciders import given
from tests.unit.histories import ADMIN, AGENT, AT, CHAIR, CONTRIBUTOR, OWNER, VIEWER, at

TID = "small-models"


def add(actor: Actor = CONTRIBUTOR, ring: trends.Ring = "trial") -> trends.AddTrend:
    return trends.AddTrend(
        trend_id=TID, at=AT, actor=actor, name="Small open-weight models",
        description="7-14B models that run on our own GPUs", quadrant="models", ring=ring,
        maturity="growing", risks=("licence terms",), dependencies=("GPU capacity",),
    )  # fmt: skip


def added(ring: trends.Ring = "trial") -> list[trends.TrendAdded]:
    return [
        trends.TrendAdded(
            trend_id=TID, at=AT, name="Small open-weight models",
            description="7-14B models that run on our own GPUs", quadrant="models", ring=ring,
            maturity="growing", risks=("licence terms",), dependencies=("GPU capacity",),
        )
    ]  # fmt: skip


def move(ring: trends.Ring, actor: Actor = CHAIR, rationale: str = "Two pilots ran well"):
    return trends.MoveTrend(trend_id=TID, at=at(60), actor=actor, ring=ring, rationale=rationale)


def moved(from_ring: trends.Ring, to_ring: trends.Ring) -> list[trends.TrendMoved]:
    return [
        trends.TrendMoved(
            trend_id=TID, at=at(60), from_ring=from_ring, to_ring=to_ring,
            rationale="Two pilots ran well",
        )
    ]  # fmt: skip


def link(initiative_id: str = "init-1", actor: Actor = OWNER) -> trends.LinkTrend:
    return trends.LinkTrend(trend_id=TID, at=at(5), actor=actor, initiative_id=initiative_id)


def linked(initiative_id: str = "init-1") -> list[trends.TrendLinked]:
    return [trends.TrendLinked(trend_id=TID, at=at(5), initiative_id=initiative_id)]


@pytest.mark.parametrize("actor", [CONTRIBUTOR, OWNER, CHAIR, ADMIN])
def test_a_contributor_owner_committee_member_or_admin_adds_a_trend(actor: Actor) -> None:
    given(decider).when(add(actor)).then(*added())


def test_a_viewer_may_not_add_a_trend() -> None:
    given(decider).when(add(VIEWER)).refused(Forbidden, match="vera may not add")


def test_an_agent_proposes_a_trend_into_assess() -> None:
    given(decider).when(add(AGENT, ring="assess")).then(*added("assess"))


def test_an_agent_may_not_place_a_trend_in_another_ring() -> None:
    given(decider).when(add(AGENT, ring="adopt")).refused(Forbidden, match="assess")


def test_adding_the_same_trend_again_is_ignored() -> None:
    given(decider, added()).when(add()).ignored()


def test_adding_the_same_trend_again_later_is_ignored() -> None:
    """A retry without an idempotency key arrives later: it is still the same trend."""
    given(decider, added()).when(msgspec.structs.replace(add(), at=at(30))).ignored()


@pytest.mark.parametrize("field", ["name", "description"])
def test_a_blank_name_or_description_is_refused(field: str) -> None:
    blank = msgspec.structs.replace(add(), **{field: "  "})
    given(decider).when(blank).refused(Invalid, match=f"{field} may not be blank")
    edit = trends.EditTrend(trend_id=TID, at=at(3), actor=CHAIR, **{field: " \t"})
    given(decider, added()).when(edit).refused(Invalid, match=f"{field} may not be blank")


def test_another_trend_under_a_taken_id_is_refused() -> None:
    given(decider, added()).when(add(ring="hold")).refused(Refused, match="exists already")


def test_a_trend_moves_with_its_rationale() -> None:
    given(decider, added()).when(move("adopt")).then(*moved("trial", "adopt"))


def test_a_contributor_moves_a_trend() -> None:
    given(decider, added()).when(move("adopt", CONTRIBUTOR)).then(*moved("trial", "adopt"))


def test_a_move_to_the_current_ring_is_ignored() -> None:
    given(decider, added()).when(move("trial")).ignored()


def test_the_ring_after_a_move_is_the_new_one() -> None:
    given(decider, added(), moved("trial", "adopt")).when(move("adopt")).ignored()


def test_a_blank_rationale_is_refused() -> None:
    given(decider, added()).when(move("hold", rationale="   ")).refused(Invalid, match="rationale")


@pytest.mark.parametrize("actor", [OWNER, VIEWER])
def test_an_owner_or_a_viewer_may_not_move_a_trend(actor: Actor) -> None:
    given(decider, added()).when(move("adopt", actor)).refused(Forbidden, match="may not move")


def test_an_agent_may_not_move_a_trend_whatever_its_roles() -> None:
    given(decider, added()).when(move("adopt", AGENT)).refused(Forbidden, match="AI agent")


def test_tollgate_itself_may_not_move_a_trend() -> None:
    given(decider, added()).when(move("adopt", SYSTEM)).refused(Forbidden, match="person")


def test_moving_an_unknown_trend_is_not_found() -> None:
    given(decider).when(move("adopt")).refused(NotFound, match="no such trend")


def test_a_trend_links_to_an_initiative() -> None:
    given(decider, added()).when(link()).then(*linked())


def test_linking_twice_is_ignored() -> None:
    given(decider, added(), linked()).when(link()).ignored()


def test_a_viewer_may_not_link() -> None:
    given(decider, added()).when(link(actor=VIEWER)).refused(Forbidden, match="may not link")


def test_an_unlink_removes_the_link() -> None:
    command = trends.UnlinkTrend(trend_id=TID, at=at(9), actor=OWNER, initiative_id="init-1")
    then = trends.TrendUnlinked(trend_id=TID, at=at(9), initiative_id="init-1")
    given(decider, added(), linked()).when(command).then(then)


def test_unlinking_what_is_not_linked_is_ignored() -> None:
    command = trends.UnlinkTrend(trend_id=TID, at=at(9), actor=OWNER, initiative_id="init-2")
    given(decider, added(), linked()).when(command).ignored()


def test_after_an_unlink_linking_again_links() -> None:
    unlinked = [trends.TrendUnlinked(trend_id=TID, at=at(9), initiative_id="init-1")]
    given(decider, added(), linked(), unlinked).when(link()).then(*linked())


def test_an_edit_records_only_what_changed() -> None:
    command = trends.EditTrend(
        trend_id=TID, at=at(3), actor=CONTRIBUTOR, name="Small open-weight models",
        maturity="mature", risks=("licence terms", "EU AI Act GPAI duties"),
    )  # fmt: skip
    then = trends.TrendEdited(
        trend_id=TID, at=at(3), maturity="mature", risks=("licence terms", "EU AI Act GPAI duties")
    )
    given(decider, added()).when(command).then(then)


def test_an_edit_that_changes_nothing_is_ignored() -> None:
    command = trends.EditTrend(trend_id=TID, at=at(3), actor=CHAIR, quadrant="models")
    given(decider, added()).when(command).ignored()


def test_an_edit_is_folded_into_the_trend() -> None:
    edit = [trends.TrendEdited(trend_id=TID, at=at(3), quadrant="platforms")]
    command = trends.EditTrend(trend_id=TID, at=at(4), actor=CHAIR, quadrant="platforms")
    given(decider, added(), edit).when(command).ignored()


def test_a_viewer_may_not_edit() -> None:
    command = trends.EditTrend(trend_id=TID, at=at(3), actor=VIEWER, name="Other")
    given(decider, added()).when(command).refused(Forbidden)
