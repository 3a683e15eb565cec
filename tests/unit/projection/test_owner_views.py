"""The summary names the owner's account and the team; a handover moves the owner; the
owner and "mine" filters of a time-travelled list match accounts and names."""

from __future__ import annotations

from functools import reduce
from typing import Any

from events import poc
from events.people import Person
from services.projection import queries
from services.projection.views.initiative import Initiative, initial, project
from tests.unit.projection.given import I, T, decided, handoff, proposed, review

TEAM = (Person(name="bo", account="bo"), Person(name="Kim Lee"))


def fold(events: list[Any]) -> Initiative:
    return reduce(project, events, initial(I))


def handed_over(at: float, to: Person) -> poc.OwnershipHandedOver:
    return poc.OwnershipHandedOver(
        initiative_id=I,
        at=T(at),
        owner=to.name,
        owner_account=to.account,
        previous_owner="ana",
        previous_owner_account="ana",
        handed_over_by="cara",
    )


def test_the_summary_names_the_owners_account_and_the_team() -> None:
    s = fold([proposed(owner_account="ana", team=("bo", "Kim Lee"), team_members=TEAM)]).summary
    assert (s.owner, s.owner_account, s.team) == ("ana", "ana", TEAM)


def test_a_team_recorded_as_names_only_is_free_text() -> None:
    s = fold([proposed()]).summary
    assert s.owner_account is None
    assert s.team == (Person(name="ana"), Person(name="bo"))


def test_a_handover_in_a_later_stage_moves_the_owner() -> None:
    opened = poc.PocOpened(initiative_id=I, at=T(2), handoff=handoff(owner_account="ana"))
    history = [proposed(owner_account="ana"), review(1), decided(2), opened]
    row = fold([*history, handed_over(3, Person(name="otto", account="otto"))])
    assert (row.summary.owner, row.summary.owner_account) == ("otto", "otto")
    assert (row.facts.owner, row.facts.owner_account) == ("otto", "otto")


def test_ownership_handed_to_a_name_without_an_account() -> None:
    opened = poc.PocOpened(initiative_id=I, at=T(2), handoff=handoff(owner_account="ana"))
    row = fold([proposed(owner_account="ana"), opened, handed_over(3, Person(name="Kim Lee"))])
    assert (row.summary.owner, row.summary.owner_account) == ("Kim Lee", None)


def test_the_owner_filter_matches_the_account_or_the_name_in_any_case() -> None:
    s = fold([proposed(owner="ana", owner_account="ana")]).summary
    free = fold([proposed(owner="Ana Free")]).summary
    matches = queries._matches  # the time-travel path filters in memory
    assert matches(s, None, None, "ana", None, None)
    assert matches(free, None, None, "ana free", None, None)
    assert not matches(free, None, None, "ana", None, None)


def test_mine_means_owned_or_on_the_team_by_account() -> None:
    s = fold([proposed(owner_account="ana", team=("bo", "Kim Lee"), team_members=TEAM)]).summary
    assert queries._member(s, "ana") and queries._member(s, "bo")
    assert not queries._member(s, "Kim Lee") and not queries._member(s, "otto")
