"""The shared gate rules, exercised through the ideation (G1, quorum 1) and pilot (G3, quorum 2)
deciders."""

from __future__ import annotations

from events import gates, ideation, pilot
from events.base import Actor
from events.criteria import CURRENT_VERSION
from events.errors import Forbidden, Invalid, Refused
from events.facts import handoff
from services.ideation import decider as ideation_decider
from services.pilot import decider as pilot_decider
from tests.unit.deciders import given
from tests.unit.histories import (
    AGENT,
    AT,
    CHAIR,
    CONDITION,
    CONTRIBUTOR,
    ID,
    MEMBER,
    OWNER,
    decided,
    proposed,
    ready_for_g1,
    ready_for_g3,
    review,
)

G1 = ideation.GATE
G3 = pilot.GATE


def request(actor: Actor = OWNER) -> gates.RequestGateReview:
    return gates.RequestGateReview(initiative_id=ID, at=AT, actor=actor)


def vote(
    decision: gates.Decision = "go",
    actor: Actor = CHAIR,
    vote_id: str = "v-1",
    conditions: tuple[gates.Condition, ...] = (),
) -> gates.DecideGate:
    return gates.DecideGate(
        initiative_id=ID, at=AT, actor=actor, vote_id=vote_id, decision=decision,
        rationale="Because", conditions=conditions,
    )  # fmt: skip


def vote_cast(
    kit: gates.GateEvents,
    decision: gates.Decision = "go",
    voter: str = CHAIR.id,
    vote_id: str = "v-1",
) -> gates.GateVoteCast:
    return kit.vote_cast(
        initiative_id=ID, at=AT, gate=kit.gate, vote_id=vote_id, voter=voter, decision=decision,
        rationale="Because",
    )  # fmt: skip


def test_the_owner_requests_a_gate_review() -> None:
    given(ideation_decider, ready_for_g1()).when(request()).then(*review(G1))


def test_a_second_review_request_is_ignored() -> None:
    given(ideation_decider, ready_for_g1(), review(G1)).when(request()).ignored()


def test_a_contributor_may_not_request_a_gate_review() -> None:
    given(ideation_decider, ready_for_g1()).when(request(CONTRIBUTOR)).refused(Forbidden)


def test_a_review_cannot_be_requested_while_on_hold() -> None:
    history = [*ready_for_g1(), *review(G1), *decided(G1, "hold")]
    given(ideation_decider, history).when(request()).refused(Refused, "on hold")


def test_a_go_with_every_must_meet_criterion_met_passes_the_gate_with_a_handoff() -> None:
    state = given(ideation_decider, ready_for_g1()).state
    events = given(ideation_decider, ready_for_g1(), review(G1)).when(vote()).decided()
    assert events == [
        vote_cast(G1),
        G1.decided(
            initiative_id=ID, at=AT, gate="G1", decision="go", rationale="Because",
            decided_by=(CHAIR.id,), criteria_version=CURRENT_VERSION, quorum=1,
            handoff=handoff(state.facts),
        ),
    ]  # fmt: skip


def test_a_go_with_unmet_must_meet_criteria_is_refused_with_the_list() -> None:
    error = given(ideation_decider, proposed(), review(G1)).when(vote()).refused()
    assert error.unmet == [
        "Idea scored",
        "Sourcing decided (build, buy or partner)",
        "EU AI Act risk pre-classified and not prohibited",
    ]


def test_a_conditional_go_is_refused_too_while_must_meet_criteria_are_unmet() -> None:
    command = vote("conditional_go", conditions=(CONDITION,))
    error = given(ideation_decider, proposed(), review(G1)).when(command).refused()
    assert "Idea scored" in error.unmet


def test_a_conditional_go_hands_its_conditions_to_the_next_stage() -> None:
    command = vote("conditional_go", conditions=(CONDITION,))
    events = given(ideation_decider, ready_for_g1(), review(G1)).when(command).decided()
    decision = events[-1]
    assert isinstance(decision, ideation.GateDecided)
    assert decision.conditions == (CONDITION,)
    assert decision.handoff is not None
    assert decision.handoff.open_conditions == (CONDITION,)


def test_a_conditional_go_without_conditions_is_invalid() -> None:
    given(ideation_decider, ready_for_g1(), review(G1)).when(vote("conditional_go")).refused(
        Invalid
    )


def test_conditions_on_a_plain_go_are_invalid() -> None:
    command = vote("go", conditions=(CONDITION,))
    given(ideation_decider, ready_for_g1(), review(G1)).when(command).refused(Invalid)


def test_a_vote_without_a_requested_review_is_refused() -> None:
    given(ideation_decider, ready_for_g1()).when(vote()).refused(Refused, "no review")


def test_an_agent_never_votes_even_with_the_committee_role() -> None:
    given(ideation_decider, ready_for_g1(), review(G1)).when(vote(actor=AGENT)).refused(Forbidden)


def test_an_owner_outside_the_committee_may_not_vote() -> None:
    given(ideation_decider, ready_for_g1(), review(G1)).when(vote(actor=OWNER)).refused(Forbidden)


def test_the_same_vote_twice_is_ignored() -> None:
    history = [*ready_for_g1(), *review(G1), vote_cast(G1, "hold")]
    given(ideation_decider, history).when(vote("hold")).ignored()


def test_hold_recycle_and_kill_need_no_must_meet_criteria() -> None:
    for decision in ("hold", "recycle", "kill"):
        events = given(ideation_decider, proposed(), review(G1)).when(vote(decision)).decided()
        assert isinstance(events[-1], ideation.GateDecided)
        assert events[-1].decision == decision
        assert events[-1].handoff is None
        assert "Idea scored" in events[-1].unmet


def test_a_hold_parks_the_stage_until_resumed() -> None:
    history = [*ready_for_g1(), *review(G1), *decided(G1, "hold")]
    assert given(ideation_decider, history).state.status == "on_hold"
    command = gates.Resume(initiative_id=ID, at=AT, actor=OWNER)
    given(ideation_decider, history).when(command).then(
        G1.resumed(initiative_id=ID, at=AT, resumed_by=OWNER.id)
    )


def test_resuming_an_active_stage_is_ignored() -> None:
    command = gates.Resume(initiative_id=ID, at=AT, actor=OWNER)
    given(ideation_decider, ready_for_g1()).when(command).ignored()


def test_a_contributor_may_not_resume() -> None:
    history = [*ready_for_g1(), *review(G1), *decided(G1, "hold")]
    command = gates.Resume(initiative_id=ID, at=AT, actor=CONTRIBUTOR)
    given(ideation_decider, history).when(command).refused(Forbidden)


def test_a_killed_initiative_cannot_be_resumed() -> None:
    history = [*ready_for_g1(), *review(G1), *decided(G1, "kill")]
    command = gates.Resume(initiative_id=ID, at=AT, actor=OWNER)
    given(ideation_decider, history).when(command).refused(Refused, "killed")


def test_a_recycle_reopens_the_stage_and_keeps_the_evidence() -> None:
    before = given(ideation_decider, ready_for_g1()).state
    after = given(ideation_decider, ready_for_g1(), review(G1), decided(G1, "recycle")).state
    assert after.status == "active"
    assert after.facts == before.facts


def test_a_killed_initiative_refuses_every_vote() -> None:
    history = [*ready_for_g1(), *review(G1), *decided(G1, "kill")]
    given(ideation_decider, history).when(vote(vote_id="v-2")).refused(Refused, "killed")


def test_one_vote_does_not_reach_a_quorum_of_two() -> None:
    given(pilot_decider, ready_for_g3(), review(G3)).when(vote()).then(vote_cast(G3))


def test_a_second_agreeing_vote_reaches_the_quorum_and_decides() -> None:
    history = [*ready_for_g3(), *review(G3), vote_cast(G3)]
    events = given(pilot_decider, history).when(vote(actor=MEMBER, vote_id="v-2")).decided()
    assert events[0] == vote_cast(G3, voter=MEMBER.id, vote_id="v-2")
    assert isinstance(events[1], pilot.GateDecided)
    assert events[1].decided_by == (CHAIR.id, MEMBER.id)
    assert events[1].quorum == 2


def test_a_disagreeing_second_vote_decides_nothing() -> None:
    history = [*ready_for_g3(), *review(G3), vote_cast(G3)]
    command = vote("hold", actor=MEMBER, vote_id="v-2")
    given(pilot_decider, history).when(command).then(
        vote_cast(G3, "hold", voter=MEMBER.id, vote_id="v-2")
    )


def test_the_same_voter_voting_again_does_not_reach_a_quorum() -> None:
    history = [*ready_for_g3(), *review(G3), vote_cast(G3)]
    given(pilot_decider, history).when(vote(vote_id="v-2")).then(vote_cast(G3, vote_id="v-2"))
