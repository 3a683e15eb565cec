"""Identical conditions are merged: a text named by two members is one condition of the
decision (G3, quorum 2, through the pilot decider)."""

from __future__ import annotations

from events import gates, pilot
from events.base import Actor
from events.gates import Condition
from services.conditions import normalised
from services.pilot import decider as pilot_decider
from tests.unit.deciders import given
from tests.unit.histories import AT, CHAIR, CONDITION, ID, MEMBER, ready_for_g3, review

G3 = pilot.GATE
DPA = Condition(condition_id="c-chair", text="Sign the DPA with the vendor")


def conditional_go(actor: Actor, vote_id: str, *conditions: Condition) -> gates.DecideGate:
    return gates.DecideGate(
        initiative_id=ID, at=AT, actor=actor, vote_id=vote_id, decision="conditional_go",
        rationale="Go, once signed", conditions=conditions,
    )  # fmt: skip


def chair_voted(*conditions: Condition) -> gates.GateVoteCast:
    return G3.vote_cast(
        initiative_id=ID, at=AT, gate="G3", vote_id="v-1", voter=CHAIR.id,
        decision="conditional_go", rationale="Go, once signed", conditions=conditions,
    )  # fmt: skip


def decision_of(events: list[object]) -> pilot.GateDecided:
    decided = events[-1]
    assert isinstance(decided, pilot.GateDecided)
    return decided


def test_two_members_naming_the_same_condition_create_it_once() -> None:
    again = Condition(condition_id="c-member", text="  sign the DPA  with the vendor. ")
    history = [*ready_for_g3(), *review(G3), chair_voted(DPA)]
    events = given(pilot_decider, history).when(conditional_go(MEMBER, "v-2", again)).decided()
    decided = decision_of(events)
    assert decided.conditions == (DPA,)
    assert decided.handoff is not None and decided.handoff.open_conditions == (DPA,)


def test_different_conditions_are_all_kept_in_the_order_named() -> None:
    dpia = Condition(condition_id="c-member", text="DPIA approved")
    history = [*ready_for_g3(), *review(G3), chair_voted(DPA)]
    events = given(pilot_decider, history).when(conditional_go(MEMBER, "v-2", dpia)).decided()
    assert decision_of(events).conditions == (DPA, dpia)


def test_a_fulfilled_condition_of_an_earlier_gate_named_again_is_a_new_one() -> None:
    again = Condition(condition_id="c-new", text="Works council consulted.")
    done = G3.condition_fulfilled(initiative_id=ID, at=AT, condition_id="c-1", fulfilled_by="o")
    history = [*ready_for_g3(CONDITION), done, *review(G3), chair_voted(again)]
    events = given(pilot_decider, history).when(conditional_go(MEMBER, "v-2", again)).decided()
    decided = decision_of(events)
    assert decided.conditions == (again,)
    assert decided.handoff is not None and decided.handoff.open_conditions == (again,)


def test_texts_compare_without_case_spacing_or_a_closing_full_stop() -> None:
    assert normalised("  Sign the  DPA. ") == normalised("sign the dpa") == "sign the dpa"
    assert normalised("Sign the DPA") != normalised("Sign the DPIA")
