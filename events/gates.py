"""Stage gates: decisions, conditions, the handoff to the next stage, and the gate events.

Every stage has its own gate events (the CloudEvents type names the stage); each
stage module subclasses the bodies below with its tag and lists them in a `GateEvents`.
The gate commands are shared: each stage service answers them on its own subject.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal, NamedTuple

import msgspec

from events.base import Command, Event, Frozen, Id, LongText, Stage, Text, storable
from events.business_case import BusinessCase
from events.compliance import Compliance
from events.kpis import KpiDefinition, Measurement
from events.people import OwnershipHandedOver, Team

Gate = Literal["G1", "G2", "G3", "G4"]
Decision = Literal["go", "conditional_go", "hold", "recycle", "kill"]
RiskClass = Literal["prohibited", "high", "limited", "minimal"]
Note = Annotated[str, storable(0, 200)]  # optional free text, may be empty
PASSING: tuple[Decision, ...] = ("go", "conditional_go")

__all__ = ["KpiDefinition", "Measurement"]


class Condition(Frozen, frozen=True, kw_only=True):
    """A condition of a conditional_go: must be fulfilled before the next gate passes."""

    condition_id: Id
    text: Text


class Handoff(Frozen, frozen=True, kw_only=True):
    """What the next stage needs to start from the facts the previous one gathered."""

    title: Text
    owner: Text
    sponsor: Text
    risk_class: RiskClass | None = None
    kpis: tuple[KpiDefinition, ...] = ()
    measurements: tuple[Measurement, ...] = ()
    open_conditions: tuple[Condition, ...] = ()
    accountable: Text | None = None
    owner_account: Id | None = None  # None: the owner is a free-text name (or was, then)
    team_members: Team = ()
    business_case: BusinessCase | None = None  # the latest case, refined in any stage
    compliance: Compliance | None = None  # EU AI Act: role, obligation statuses, serious incidents


# Event bodies: never published themselves, only through a stage's tagged subclass.


class GateReviewRequested(Event, frozen=True, kw_only=True):
    gate: Gate
    requested_by: Id
    criteria_version: Text


class GateVoteCast(Event, frozen=True, kw_only=True):
    gate: Gate
    vote_id: Id
    voter: Id
    decision: Decision
    rationale: LongText
    conditions: tuple[Condition, ...] = ()


class GateDecided(Event, frozen=True, kw_only=True):
    """The committee's decision; `handoff` is set for go and conditional_go."""

    gate: Gate
    decision: Decision
    rationale: LongText
    conditions: tuple[Condition, ...] = ()
    decided_by: tuple[Id, ...]
    criteria_version: Text
    quorum: Annotated[int, msgspec.Meta(ge=1)]
    unmet: tuple[Text, ...] = ()
    handoff: Handoff | None = None


class InitiativeResumed(Event, frozen=True, kw_only=True):
    resumed_by: Id
    reason: Text = "resumed"


class ConditionFulfilled(Event, frozen=True, kw_only=True):
    condition_id: Id
    fulfilled_by: Id
    evidence: Note = ""


class ReviewOverdue(Event, frozen=True, kw_only=True):
    """The open review of `gate` has waited past its service level (events.sla); it is
    escalated to the committee chair, `escalated_to` (None: no chair is designated)."""

    gate: Gate
    requested_at: datetime
    due_at: datetime
    working_days: Annotated[int, msgspec.Meta(ge=0)]
    sla_version: Text
    escalated_to: Id | None = None


class StageOpened(Event, frozen=True, kw_only=True):
    """First event of a stage's stream, caused by the previous stage's go."""

    handoff: Handoff


class GateEvents(NamedTuple):
    """The tagged gate event classes of one stage, for the shared gate logic."""

    stage: Stage
    gate: Gate
    next_stage: Stage
    review_requested: type[GateReviewRequested]
    vote_cast: type[GateVoteCast]
    decided: type[GateDecided]
    resumed: type[InitiativeResumed]
    condition_fulfilled: type[ConditionFulfilled]
    handed_over: type[OwnershipHandedOver]
    review_overdue: type[ReviewOverdue]


# Commands shared by every stage.


class RequestGateReview(Command, tag="request-gate-review", frozen=True, kw_only=True):
    """Ask the committee to review the current gate (owner only)."""


class DecideGate(Command, tag="decide-gate", frozen=True, kw_only=True):
    """One committee member's vote; the decision takes effect at quorum."""

    vote_id: Id
    decision: Decision
    rationale: LongText
    conditions: tuple[Condition, ...] = ()


class FulfilCondition(Command, tag="fulfil-condition", frozen=True, kw_only=True):
    condition_id: Id
    evidence: Note = ""


class Resume(Command, tag="resume", frozen=True, kw_only=True):
    reason: Text = "resumed"


class FlagOverdueReview(Command, tag="flag-overdue-review", frozen=True, kw_only=True):
    """Sent by the scheduler as Tollgate itself, with the clock's time as `at`: raise
    review_overdue when the open review has waited past its service level."""

    chair: Id | None = None  # the committee chair it escalates to


class OpenStage(Command, frozen=True, kw_only=True):
    """Sent by a policy when the previous stage's gate passed."""

    handoff: Handoff


GateCommand = RequestGateReview | DecideGate | FulfilCondition | Resume | FlagOverdueReview
