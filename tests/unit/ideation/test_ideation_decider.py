"""Ideation: proposing, refining, workshops, scoring, sourcing, risk pre-classification."""

from __future__ import annotations

import msgspec
import pytest

from events import ideation
from events.base import Actor
from events.errors import Forbidden, NotFound, Refused
from events.gates import DecideGate
from services.ideation import decider
from tests.unit.deciders import given
from tests.unit.histories import (
    AGENT,
    AT,
    CHAIR,
    CONTRIBUTOR,
    ID,
    OWNER,
    TEAM,
    VIEWER,
    WORKSHOP_DAY,
    decided,
    proposed,
    ready_for_g1,
    review,
)

G1 = ideation.GATE


def propose(actor: Actor = CONTRIBUTOR, title: str = "Invoice triage") -> ideation.ProposeIdea:
    return ideation.ProposeIdea(
        initiative_id=ID, at=AT, actor=actor, title=title, problem_statement="Slow triage",
        business_goal="Halve triage time", sponsor="Sam", owner="Olga",
        team=("Carl", "Tess", "Sam"), ai_category="classification", tags=("finance",),
        owner_account="olga", team_members=TEAM,
    )  # fmt: skip


def workshop(workshop_id: str = "w-1") -> ideation.HoldWorkshop:
    return ideation.HoldWorkshop(
        initiative_id=ID, at=AT, actor=CONTRIBUTOR, workshop_id=workshop_id,
        held_on=WORKSHOP_DAY, participants=("Olga", "Carl"), outcome="Worth a PoC",
    )  # fmt: skip


def score(value: int = 4) -> ideation.ScoreIdea:
    return ideation.ScoreIdea(
        initiative_id=ID, at=AT, actor=CONTRIBUTOR, value=value, feasibility=4, risk=2,
        strategic_fit=4,
    )  # fmt: skip


def go() -> DecideGate:
    return DecideGate(
        initiative_id=ID, at=AT, actor=CHAIR, vote_id="v-1", decision="go", rationale="Yes"
    )


def test_a_contributor_proposes_an_idea() -> None:
    given(decider).when(propose()).then(*proposed())


def test_an_agent_with_the_contributor_role_may_propose_an_idea() -> None:
    assert given(decider).when(propose(AGENT)).decided() == proposed()


def test_proposing_the_same_idea_again_is_ignored() -> None:
    given(decider, proposed()).when(propose()).ignored()


def test_proposing_another_idea_under_a_taken_id_is_refused() -> None:
    given(decider, proposed()).when(propose(title="Other")).refused(Refused, "already proposed")


def test_a_viewer_may_not_propose_an_idea() -> None:
    given(decider).when(propose(VIEWER)).refused(Forbidden)


def test_refining_records_only_what_changed() -> None:
    command = ideation.RefineIdea(
        initiative_id=ID, at=AT, actor=OWNER, title="Invoice triage", business_goal="Cut by 60%"
    )
    given(decider, proposed()).when(command).then(
        ideation.IdeaRefined(initiative_id=ID, at=AT, business_goal="Cut by 60%")
    )


def test_a_refinement_that_changes_nothing_is_ignored() -> None:
    command = ideation.RefineIdea(initiative_id=ID, at=AT, actor=OWNER, title="Invoice triage")
    given(decider, proposed()).when(command).ignored()


def test_refining_an_idea_never_proposed_is_not_found() -> None:
    command = ideation.RefineIdea(initiative_id=ID, at=AT, actor=OWNER, title="X")
    given(decider).when(command).refused(NotFound)


def test_a_workshop_is_recorded() -> None:
    given(decider, proposed()).when(workshop()).then(
        ideation.WorkshopHeld(
            initiative_id=ID, at=AT, workshop_id="w-1", held_on=WORKSHOP_DAY,
            participants=("Olga", "Carl"), outcome="Worth a PoC",
        )
    )  # fmt: skip


def test_the_same_workshop_twice_is_ignored() -> None:
    history = given(decider, proposed()).when(workshop()).decided()
    given(decider, proposed(), history).when(workshop()).ignored()


def test_scoring_derives_the_priority() -> None:
    given(decider, proposed()).when(score()).then(
        ideation.IdeaScored(
            initiative_id=ID, at=AT, value=4, feasibility=4, risk=2, strategic_fit=4, priority=4.0
        )
    )


def test_the_same_scores_again_are_ignored() -> None:
    given(decider, ready_for_g1()).when(score()).ignored()


def test_a_score_outside_1_to_5_is_invalid() -> None:
    body = b'{"command":"score-idea","initiative_id":"i","at":"2025-01-01T00:00:00Z",'
    body += b'"actor":{"id":"a"},"value":6,"feasibility":1,"risk":1,"strategic_fit":1}'
    with pytest.raises(msgspec.ValidationError, match="<= 5"):
        decider.COMMANDS.decode(body)


def test_sourcing_is_decided() -> None:
    command = ideation.DecideSourcing(
        initiative_id=ID, at=AT, actor=CONTRIBUTOR, sourcing="partner", rationale="Speed"
    )
    given(decider, ready_for_g1()).when(command).then(
        ideation.SourcingDecided(initiative_id=ID, at=AT, sourcing="partner", rationale="Speed")
    )


def test_the_same_sourcing_again_is_ignored() -> None:
    command = ideation.DecideSourcing(
        initiative_id=ID, at=AT, actor=CONTRIBUTOR, sourcing="build", rationale="Core"
    )
    given(decider, ready_for_g1()).when(command).ignored()


def test_the_risk_is_preclassified() -> None:
    command = ideation.PreclassifyRisk(
        initiative_id=ID, at=AT, actor=CONTRIBUTOR, risk_class="high", rationale="Credit"
    )
    given(decider, proposed()).when(command).then(
        ideation.RiskPreclassified(initiative_id=ID, at=AT, risk_class="high", rationale="Credit")
    )


def test_the_same_risk_preclass_again_is_ignored() -> None:
    command = ideation.PreclassifyRisk(
        initiative_id=ID, at=AT, actor=CONTRIBUTOR, risk_class="limited", rationale="HR"
    )
    given(decider, ready_for_g1()).when(command).ignored()


def test_a_prohibited_risk_preclass_blocks_a_go() -> None:
    prohibited = ideation.RiskPreclassified(
        initiative_id=ID, at=AT, risk_class="prohibited", rationale="Social scoring"
    )
    error = given(decider, ready_for_g1(), [prohibited], review(G1)).when(go()).refused()
    assert error.unmet == ["EU AI Act risk pre-classified and not prohibited"]


def test_stage_work_after_the_gate_passed_is_refused() -> None:
    history = [*ready_for_g1(), *review(G1), *decided(G1, "go")]
    given(decider, history).when(workshop()).refused(Refused, "moved on to poc")


def test_stage_work_on_hold_is_refused() -> None:
    history = [*ready_for_g1(), *review(G1), *decided(G1, "hold")]
    given(decider, history).when(workshop()).refused(Refused, "on hold")


def test_stage_work_after_a_kill_is_refused() -> None:
    history = [*ready_for_g1(), *review(G1), *decided(G1, "kill")]
    given(decider, history).when(workshop()).refused(Refused, "killed")


def test_stage_work_is_allowed_while_in_review() -> None:
    assert given(decider, proposed(), review(G1)).when(workshop()).decided()
