"""Ideation: owners and team members are accounts; an owner acts only on their own
initiatives; ownership is handed over as an event."""

from __future__ import annotations

from events import gates, ideation
from events.base import Actor
from events.criteria import CURRENT_VERSION
from events.errors import Forbidden, Refused
from events.people import Person
from services.ideation import decider
from tests.unit.deciders import given
from tests.unit.histories import (
    ADMIN,
    AGENT,
    AT,
    CHAIR,
    CONTRIBUTOR,
    ID,
    OTHER_OWNER,
    OWNER,
    TEAM_OWNER,
    decided,
    proposed,
    ready_for_g1,
    review,
)
from tests.unit.owners import OTTO, hand_over, handed_over

G1 = ideation.GATE


def score(actor: Actor) -> ideation.ScoreIdea:
    return ideation.ScoreIdea(
        initiative_id=ID, at=AT, actor=actor, value=3, feasibility=3, risk=3, strategic_fit=3
    )


def scored() -> ideation.IdeaScored:
    return ideation.IdeaScored(
        initiative_id=ID, at=AT, value=3, feasibility=3, risk=3, strategic_fit=3, priority=3.0
    )


def request(actor: Actor) -> gates.RequestGateReview:
    return gates.RequestGateReview(initiative_id=ID, at=AT, actor=actor)


def requested(actor: Actor) -> gates.GateReviewRequested:
    return G1.review_requested(
        initiative_id=ID, at=AT, gate="G1", requested_by=actor.id, criteria_version=CURRENT_VERSION
    )


def test_a_team_given_by_names_only_is_recorded_as_free_text() -> None:
    command = ideation.ProposeIdea(
        initiative_id=ID,
        at=AT,
        actor=CONTRIBUTOR,
        title="T",
        problem_statement="P",
        business_goal="G",
        sponsor="S",
        owner="Olga",
        owner_account="olga",
        team=("Sam",),
    )
    [event] = given(decider).when(command).decided()
    assert isinstance(event, ideation.IdeaProposed)
    assert (event.owner_account, event.team_members) == ("olga", (Person(name="Sam"),))


def test_the_owner_records_work_on_their_initiative() -> None:
    given(decider, proposed()).when(score(OWNER)).then(scored())


def test_an_owner_on_the_team_records_work() -> None:
    given(decider, proposed()).when(score(TEAM_OWNER)).then(scored())


def test_an_owner_may_not_record_work_on_someone_elses_initiative() -> None:
    refused = given(decider, proposed()).when(score(OTHER_OWNER)).refused(Forbidden)
    assert "otto may not record ideation work" in refused.detail
    assert "owned by olga" in refused.detail


def test_a_contributor_records_work_on_every_initiative() -> None:
    given(decider, proposed()).when(score(CONTRIBUTOR)).then(scored())


def test_an_admin_records_work_on_every_initiative() -> None:
    given(decider, proposed()).when(score(ADMIN)).then(scored())


def test_an_owner_may_not_request_the_review_of_someone_elses_initiative() -> None:
    given(decider, ready_for_g1()).when(request(OTHER_OWNER)).refused(Forbidden, "G1 review")


def test_an_owner_on_the_team_requests_the_review() -> None:
    given(decider, ready_for_g1()).when(request(TEAM_OWNER)).then(requested(TEAM_OWNER))


def test_an_initiative_with_a_free_text_owner_is_no_owner_roles_own() -> None:
    legacy = ideation.IdeaProposed(
        initiative_id=ID,
        at=AT,
        title="Old",
        problem_statement="P",
        business_goal="G",
        sponsor="S",
        owner="olga",
        team=("olga",),
    )
    refused = given(decider, [legacy]).when(score(OWNER)).refused(Forbidden)
    assert "owned by olga (no account)" in refused.detail


def test_a_new_team_is_recorded_with_its_accounts() -> None:
    team = (Person(name="otto", account="otto"), Person(name="Kim"))
    command = ideation.RefineIdea(
        initiative_id=ID, at=AT, actor=OWNER, team=("otto", "Kim"), team_members=team
    )
    given(decider, proposed()).when(command).then(
        ideation.IdeaRefined(initiative_id=ID, at=AT, team=("otto", "Kim"), team_members=team)
    )


def test_the_owner_is_not_refined_but_handed_over() -> None:
    command = ideation.RefineIdea(initiative_id=ID, at=AT, actor=OWNER, owner="otto")
    given(decider, proposed()).when(command).refused(Refused, "handed over")


def test_the_owner_hands_ownership_over() -> None:
    given(decider, proposed()).when(hand_over(OWNER)).then(handed_over(G1, OWNER))


def test_the_committee_hands_ownership_over() -> None:
    given(decider, proposed()).when(hand_over(CHAIR)).then(handed_over(G1, CHAIR))


def test_an_admin_hands_ownership_over() -> None:
    given(decider, proposed()).when(hand_over(ADMIN)).then(handed_over(G1, ADMIN))


def test_a_team_member_may_not_hand_ownership_over() -> None:
    given(decider, proposed()).when(hand_over(TEAM_OWNER)).refused(Forbidden, "not its owner")


def test_another_owner_may_not_take_ownership() -> None:
    given(decider, proposed()).when(hand_over(OTHER_OWNER)).refused(Forbidden, "not its owner")


def test_an_agent_never_hands_ownership_over() -> None:
    given(decider, proposed()).when(hand_over(AGENT)).refused(Forbidden, "agent")


def test_handing_ownership_to_the_owner_again_is_ignored() -> None:
    olga = Person(name="Olga", account="olga")
    given(decider, proposed()).when(hand_over(OWNER, to=olga)).ignored()


def test_ownership_may_go_to_a_person_without_an_account() -> None:
    kim = Person(name="Kim Lee")
    given(decider, proposed()).when(hand_over(CHAIR, to=kim)).then(handed_over(G1, CHAIR, kim))


def test_after_a_handover_the_previous_owner_may_no_longer_act() -> None:
    history = [*proposed(), handed_over(G1, OWNER, OTTO)]
    given(decider, history).when(score(OWNER)).refused(Forbidden, "owned by otto")


def test_after_a_handover_the_new_owner_acts() -> None:
    history = [*ready_for_g1(), handed_over(G1, OWNER, OTTO)]
    given(decider, history).when(request(OTHER_OWNER)).then(requested(OTHER_OWNER))


def test_a_stage_that_passed_its_gate_no_longer_records_a_handover() -> None:
    history = [*ready_for_g1(), *review(G1), *decided(G1, "go")]
    given(decider, history).when(hand_over(CHAIR)).refused(Refused, "moved on to poc")


def test_a_killed_initiative_keeps_its_owner() -> None:
    history = [*ready_for_g1(), *review(G1), *decided(G1, "kill")]
    given(decider, history).when(hand_over(CHAIR)).refused(Refused, "killed")


def test_the_gate_hands_the_owner_and_team_accounts_to_the_next_stage() -> None:
    vote = gates.DecideGate(
        initiative_id=ID, at=AT, actor=CHAIR, vote_id="v-1", decision="go", rationale="Yes"
    )
    history = [*ready_for_g1(), handed_over(G1, OWNER, OTTO), *review(G1)]
    decision = given(decider, history).when(vote).decided()[-1]
    assert isinstance(decision, ideation.GateDecided) and decision.handoff is not None
    assert (decision.handoff.owner, decision.handoff.owner_account) == ("otto", "otto")
    assert [p.account for p in decision.handoff.team_members] == ["carl", "tess", None]
