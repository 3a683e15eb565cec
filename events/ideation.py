"""Ideation: an idea is proposed, refined, workshopped, scored, sourced and risk-preclassified.

Its gate is G1 (ideation -> poc). The stream starts with IdeaProposed.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

import msgspec

from events import business_case, compliance, gates, people
from events.base import Command, Event, Id, LongText, Text, event_type
from events.gates import RiskClass
from events.people import Team

Score = Annotated[int, msgspec.Meta(ge=1, le=5)]
AiCategory = Literal[
    "generative", "predictive", "classification", "nlp", "vision", "optimization", "agent", "other"
]
Sourcing = Literal["build", "buy", "partner"]
Names = Annotated[tuple[Text, ...], msgspec.Meta(max_length=50)]


def _t(name: str) -> str:
    return event_type("ideation", name)


class IdeaProposed(Event, tag=_t("idea_proposed"), frozen=True, kw_only=True):
    title: Text
    problem_statement: LongText
    business_goal: LongText
    sponsor: Text
    owner: Text
    team: Names = ()
    ai_category: AiCategory = "other"
    tags: Names = ()
    owner_account: Id | None = None  # the owner's account; None: a free-text name
    team_members: Team = ()  # the team with their accounts (`team` keeps the names)


class IdeaRefined(Event, tag=_t("idea_refined"), frozen=True, kw_only=True):
    """Only the fields that changed are set."""

    title: Text | None = None
    problem_statement: LongText | None = None
    business_goal: LongText | None = None
    sponsor: Text | None = None
    owner: Text | None = None
    team: Names | None = None
    ai_category: AiCategory | None = None
    tags: Names | None = None
    team_members: Team | None = None


class WorkshopHeld(Event, tag=_t("workshop_held"), frozen=True, kw_only=True):
    workshop_id: Id
    held_on: date
    participants: Annotated[tuple[Text, ...], msgspec.Meta(min_length=1, max_length=100)]
    outcome: LongText


class IdeaScored(Event, tag=_t("idea_scored"), frozen=True, kw_only=True):
    value: Score
    feasibility: Score
    risk: Score
    strategic_fit: Score
    priority: float


class SourcingDecided(Event, tag=_t("sourcing_decided"), frozen=True, kw_only=True):
    sourcing: Sourcing
    rationale: LongText


class RiskPreclassified(Event, tag=_t("risk_preclassified"), frozen=True, kw_only=True):
    risk_class: RiskClass
    rationale: LongText


class GateReviewRequested(
    gates.GateReviewRequested, tag=_t("gate_review_requested"), frozen=True, kw_only=True
): ...


class GateVoteCast(gates.GateVoteCast, tag=_t("gate_vote_cast"), frozen=True, kw_only=True): ...


class GateDecided(gates.GateDecided, tag=_t("gate_decided"), frozen=True, kw_only=True): ...


class InitiativeResumed(
    gates.InitiativeResumed, tag=_t("initiative_resumed"), frozen=True, kw_only=True
): ...


class ConditionFulfilled(
    gates.ConditionFulfilled, tag=_t("condition_fulfilled"), frozen=True, kw_only=True
): ...


class OwnershipHandedOver(
    people.OwnershipHandedOver, tag=_t("ownership_handed_over"), frozen=True, kw_only=True
): ...


class BusinessCaseRefined(
    business_case.BusinessCaseRefined, tag=_t("business_case_refined"), frozen=True, kw_only=True
): ...


class AiRoleRecorded(
    compliance.AiRoleRecorded, tag=_t("ai_role_recorded"), frozen=True, kw_only=True
): ...


class ObligationStatusRecorded(
    compliance.ObligationStatusRecorded,
    tag=_t("obligation_status_recorded"),
    frozen=True,
    kw_only=True,
): ...


class ReviewOverdue(gates.ReviewOverdue, tag=_t("review_overdue"), frozen=True, kw_only=True): ...


GATE = gates.GateEvents(
    "ideation",
    "G1",
    "poc",
    GateReviewRequested,
    GateVoteCast,
    GateDecided,
    InitiativeResumed,
    ConditionFulfilled,
    OwnershipHandedOver,
    ReviewOverdue,
)


def priority(value: int, feasibility: int, risk: int, strategic_fit: int) -> float:
    """Priority 1-5: value and fit weigh double, and a high risk lowers it."""
    return round((2 * value + feasibility + 2 * strategic_fit + (6 - risk)) / 6, 1)


class ProposeIdea(Command, tag="propose-idea", frozen=True, kw_only=True):
    title: Text
    problem_statement: LongText
    business_goal: LongText
    sponsor: Text
    owner: Text
    team: Names = ()
    ai_category: AiCategory = "other"
    tags: Names = ()
    owner_account: Id | None = None  # the owner's account; None: a free-text name
    team_members: Team = ()  # the team with their accounts (`team` keeps the names)


class RefineIdea(Command, tag="refine-idea", frozen=True, kw_only=True):
    title: Text | None = None
    problem_statement: LongText | None = None
    business_goal: LongText | None = None
    sponsor: Text | None = None
    owner: Text | None = None
    team: Names | None = None
    ai_category: AiCategory | None = None
    tags: Names | None = None
    team_members: Team | None = None


class HoldWorkshop(Command, tag="hold-workshop", frozen=True, kw_only=True):
    workshop_id: Id
    held_on: date
    participants: Annotated[tuple[Text, ...], msgspec.Meta(min_length=1, max_length=100)]
    outcome: LongText


class ScoreIdea(Command, tag="score-idea", frozen=True, kw_only=True):
    value: Score
    feasibility: Score
    risk: Score
    strategic_fit: Score


class DecideSourcing(Command, tag="decide-sourcing", frozen=True, kw_only=True):
    sourcing: Sourcing
    rationale: LongText


class PreclassifyRisk(Command, tag="preclassify-risk", frozen=True, kw_only=True):
    risk_class: RiskClass
    rationale: LongText


AnyIdeationEvent = (
    IdeaProposed
    | IdeaRefined
    | WorkshopHeld
    | IdeaScored
    | SourcingDecided
    | RiskPreclassified
    | GateReviewRequested
    | GateVoteCast
    | GateDecided
    | InitiativeResumed
    | ConditionFulfilled
    | OwnershipHandedOver
    | BusinessCaseRefined
    | AiRoleRecorded
    | ObligationStatusRecorded
    | ReviewOverdue
)
IdeationCommand = (
    ProposeIdea
    | RefineIdea
    | HoldWorkshop
    | ScoreIdea
    | DecideSourcing
    | PreclassifyRisk
    | gates.GateCommand
    | people.HandOverOwnership
    | business_case.RefineBusinessCase
    | compliance.RecordAiRole
    | compliance.RecordObligationStatus
)
EVENT_DECODER = msgspec.json.Decoder(AnyIdeationEvent)
COMMAND_DECODER = msgspec.json.Decoder(IdeationCommand)
