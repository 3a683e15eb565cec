"""Request bodies: one Struct per command endpoint, strict about unknown fields.

Field types come from the event contract (events/*), so the limits the services
enforce are checked here first and show up in OpenAPI. Record ids (workshop_id,
hypothesis_id, ...) are optional: the API makes one up and returns it as `record_id`.
Text refuses NUL characters and dates lie within 1900..2200 (see api.limits).
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

import msgspec

from api.limits import BoundedDates
from events.base import Id, LongText, Text
from events.compliance import Moment, SeriousKind
from events.gates import Decision, Note, RiskClass
from events.ideation import AiCategory, Names, Score, Sourcing
from events.kpis import Direction, Importance
from events.mvp import ChecklistItem, DocumentKind, MonitoredMetric
from events.pilot import IncidentStatus, Sentiment, Severity
from events.pilot import Names as Sites
from events.poc import Comparator

Version = Annotated[
    int, msgspec.Meta(ge=0, description="fails with 409 if the stage's stream moved on")
]


class Body(BoundedDates, kw_only=True, forbid_unknown_fields=True):
    expected_version: Version | None = None


class ProposeIdeaBody(BoundedDates, kw_only=True, forbid_unknown_fields=True):
    """`owner` and `team` are names: a user's name makes that account the owner or a team
    member, any other name stays free text. Without `owner`, the proposer owns it (if
    they hold the owner role)."""

    title: Text
    problem_statement: LongText
    business_goal: LongText
    sponsor: Text
    owner: Text | None = None
    team: Names = ()
    ai_category: AiCategory = "other"
    tags: Names = ()


class RefineIdeaBody(Body, kw_only=True, forbid_unknown_fields=True):
    title: Text | None = None
    problem_statement: LongText | None = None
    business_goal: LongText | None = None
    sponsor: Text | None = None
    owner: Text | None = None
    team: Names | None = None
    ai_category: AiCategory | None = None
    tags: Names | None = None


class WorkshopBody(Body, kw_only=True, forbid_unknown_fields=True):
    workshop_id: Id | None = None
    held_on: date
    participants: Annotated[tuple[Text, ...], msgspec.Meta(min_length=1, max_length=100)]
    outcome: LongText


class ScoreBody(Body, kw_only=True, forbid_unknown_fields=True):
    value: Score
    feasibility: Score
    risk: Score
    strategic_fit: Score


class SourcingBody(Body, kw_only=True, forbid_unknown_fields=True):
    sourcing: Sourcing
    rationale: LongText


class RiskBody(Body, kw_only=True, forbid_unknown_fields=True):
    risk_class: RiskClass
    rationale: LongText


class HypothesisBody(Body, kw_only=True, forbid_unknown_fields=True):
    hypothesis_id: Id | None = None
    statement: LongText
    metric: Text
    comparator: Comparator
    threshold: float


class ResultBody(Body, kw_only=True, forbid_unknown_fields=True):
    value: float
    evidence_link: Text


class DataSourceBody(Body, kw_only=True, forbid_unknown_fields=True):
    source_id: Id | None = None
    name: Text
    description: Text = ""


class ModelChoiceBody(Body, kw_only=True, forbid_unknown_fields=True):
    choice: Text
    rationale: LongText


class ScopeBody(Body, kw_only=True, forbid_unknown_fields=True):
    user_group: Text
    sites: Sites
    planned_weeks: Annotated[int, msgspec.Meta(ge=1, le=104)]


class KpiBody(Body, kw_only=True, forbid_unknown_fields=True):
    kpi_id: Id | None = None
    name: Text
    unit: Text
    baseline: float
    target: float
    direction: Direction = "higher"
    importance: Importance = "must"


class OversightBody(Body, kw_only=True, forbid_unknown_fields=True):
    override_by: Sites
    decision_boundaries: LongText
    escalation_path: LongText
    accountable: Text


class IncidentBody(Body, kw_only=True, forbid_unknown_fields=True):
    """`serious`: the Art. 3(49) kind of a serious incident, which starts the Art. 73 report
    clock at `aware_at` (default: now); `causal_link_at`: when a causal link was found."""

    incident_id: Id | None = None
    title: Text
    severity: Severity
    description: LongText | None = None
    serious: SeriousKind | None = None
    aware_at: Moment | None = None
    causal_link_at: Moment | None = None


class IncidentStatusBody(Body, kw_only=True, forbid_unknown_fields=True):
    status: IncidentStatus
    note: Text = ""


class AcknowledgeBody(Body, kw_only=True, forbid_unknown_fields=True):
    """Optional: what the person acknowledging is doing about it."""

    note: Note = ""


class FeedbackBody(Body, kw_only=True, forbid_unknown_fields=True):
    feedback_id: Id | None = None
    summary: LongText
    sentiment: Sentiment = "neutral"
    severity: Severity = "low"


class MeasurementBody(Body, kw_only=True, forbid_unknown_fields=True):
    measurement_id: Id | None = None
    value: float
    source: Text = "manual"
    at: Moment | None = None  # with its offset: a naive time wedged the projection


class DocumentBody(Body, kw_only=True, forbid_unknown_fields=True):
    document_id: Id | None = None
    kind: DocumentKind
    link: Text
    author: Text


class MonitoringBody(Body, kw_only=True, forbid_unknown_fields=True):
    metrics: Annotated[tuple[MonitoredMetric, ...], msgspec.Meta(min_length=1, max_length=50)]
    owner: Text


class ChecklistBody(Body, kw_only=True, forbid_unknown_fields=True):
    items: Annotated[tuple[ChecklistItem, ...], msgspec.Meta(min_length=1, max_length=100)]


class GateReviewBody(Body, kw_only=True, forbid_unknown_fields=True):
    pass


class ConditionIn(BoundedDates, kw_only=True, forbid_unknown_fields=True):
    text: Text
    condition_id: Id | None = None


GateName = Literal["G1", "G2", "G3", "G4", "re-review"]


class DecisionBody(Body, kw_only=True, forbid_unknown_fields=True):
    """One committee member's vote; at quorum it becomes the gate decision. `gate` names
    the gate voted on (G1..G4, or re-review for a launched initiative); a vote for a gate
    that is not under decision is a 409. Without it, the current gate is meant."""

    gate: Literal["G1", "G2", "G3", "G4", "re-review"] | None = None
    decision: Decision
    rationale: LongText
    conditions: Annotated[tuple[Text | ConditionIn, ...], msgspec.Meta(max_length=20)] = ()
    vote_id: Id | None = None


class FulfilBody(Body, kw_only=True, forbid_unknown_fields=True):
    evidence: Text | None = None


class ResumeBody(Body, kw_only=True, forbid_unknown_fields=True):
    reason: Text | None = None


class OwnerBody(Body, kw_only=True, forbid_unknown_fields=True):
    """The new owner: a user's name (that account), or a free-text name."""

    owner: Text
    reason: Text | None = None
