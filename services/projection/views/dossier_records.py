"""The dossier's records: the current state of each stage record, with business time."""

from __future__ import annotations

from datetime import date, datetime

from events import mvp, pilot
from events.base import Frozen
from events.gates import RiskClass


class Workshop(Frozen, frozen=True, kw_only=True):
    held_on: date
    participants: tuple[str, ...]
    outcome: str


class Score(Frozen, frozen=True, kw_only=True):
    value: int
    feasibility: int
    risk: int
    strategic_fit: int
    priority: float
    at: datetime


class Choice(Frozen, frozen=True, kw_only=True):
    """A decision with its rationale: sourcing (build, buy, partner) or the model or tool."""

    choice: str
    rationale: str
    at: datetime


class Risk(Frozen, frozen=True, kw_only=True):
    risk_class: RiskClass
    rationale: str
    at: datetime


class Result(Frozen, frozen=True, kw_only=True):
    value: float
    evidence_link: str
    validated: bool
    at: datetime


class HypothesisRecord(Frozen, frozen=True, kw_only=True):
    hypothesis_id: str
    statement: str
    metric: str
    comparator: str
    threshold: float
    at: datetime
    results: tuple[Result, ...] = ()  # oldest first: the last one counts


class DataSource(Frozen, frozen=True, kw_only=True):
    source_id: str
    name: str
    description: str = ""
    at: datetime


class Scope(Frozen, frozen=True, kw_only=True):
    user_group: str
    sites: tuple[str, ...]
    planned_weeks: int
    at: datetime


class Oversight(Frozen, frozen=True, kw_only=True):
    override_by: tuple[str, ...]
    decision_boundaries: str
    escalation_path: str
    accountable: str
    at: datetime


class StatusChange(Frozen, frozen=True, kw_only=True):
    status: pilot.IncidentStatus
    note: str = ""
    at: datetime


class IncidentRecord(Frozen, frozen=True, kw_only=True):
    incident_id: str
    title: str
    severity: pilot.Severity
    description: str | None = None
    reported_at: datetime
    status: pilot.IncidentStatus = "open"
    changes: tuple[StatusChange, ...] = ()  # oldest first
    escalates_at: datetime | None = None  # high/critical: unless acknowledged by then
    acknowledged_by: str | None = None
    acknowledged_at: datetime | None = None
    acknowledged_note: str = ""  # what the person acknowledging it said they are doing
    escalated_at: datetime | None = None  # not acknowledged in time (incident_escalated)
    escalated_to: str | None = None  # the committee chair (None: none designated)


class Feedback(Frozen, frozen=True, kw_only=True):
    feedback_id: str
    summary: str
    sentiment: pilot.Sentiment
    severity: pilot.Severity
    at: datetime


class DocumentVersion(Frozen, frozen=True, kw_only=True):
    document_id: str
    version: int
    link: str
    author: str
    at: datetime


class Monitoring(Frozen, frozen=True, kw_only=True):
    metrics: tuple[mvp.MonitoredMetric, ...]
    owner: str
    at: datetime


class Checklist(Frozen, frozen=True, kw_only=True):
    items: tuple[mvp.ChecklistItem, ...]
    at: datetime


class Dossier(Frozen, frozen=True, kw_only=True):
    problem_statement: str = ""
    business_goal: str = ""
    workshops: tuple[Workshop, ...] = ()
    score: Score | None = None
    sourcing: Choice | None = None
    risk_preclass: Risk | None = None
    risk_confirmed: Risk | None = None
    hypotheses: tuple[HypothesisRecord, ...] = ()  # in the order added
    data_sources: tuple[DataSource, ...] = ()
    model: Choice | None = None
    scope: Scope | None = None
    oversight: Oversight | None = None
    incidents: tuple[IncidentRecord, ...] = ()
    feedback: tuple[Feedback, ...] = ()
    documents: dict[str, tuple[DocumentVersion, ...]] = {}  # kind -> versions, oldest first
    monitoring: Monitoring | None = None
    checklist: Checklist | None = None
