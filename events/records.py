"""Facts and the records it keeps per sub-entity: hypotheses, KPIs, incidents, documents.

Folded by events.facts.apply; kept here so the per-stage folds can share the type.
"""

from __future__ import annotations

from datetime import datetime

from events import ideation, mvp, pilot, poc
from events.base import Frozen
from events.business_case import BusinessCase
from events.compliance import Compliance
from events.gates import RiskClass
from events.kpis import KpiDefinition, Measurement
from events.people import Person


class Scores(Frozen, frozen=True, kw_only=True):
    value: int
    feasibility: int
    risk: int
    strategic_fit: int


class Hypothesis(Frozen, frozen=True, kw_only=True):
    statement: str
    metric: str
    comparator: poc.Comparator
    threshold: float
    result: float | None = None
    evidence_link: str | None = None
    validated: bool = False


class Kpi(Frozen, frozen=True, kw_only=True):
    definition: KpiDefinition
    measurements: tuple[Measurement, ...] = ()


class Scope(Frozen, frozen=True, kw_only=True):
    user_group: str
    sites: tuple[str, ...]
    planned_weeks: int


class Oversight(Frozen, frozen=True, kw_only=True):
    override_by: tuple[str, ...]
    decision_boundaries: str
    escalation_path: str
    accountable: str


class Incident(Frozen, frozen=True, kw_only=True):
    title: str
    severity: pilot.Severity
    status: pilot.IncidentStatus = "open"
    reported_at: datetime | None = None  # None: folded before it was kept
    acknowledged_by: str | None = None
    escalated: bool = False


class Document(Frozen, frozen=True, kw_only=True):
    document_id: str
    version: int
    link: str
    author: str


class Monitoring(Frozen, frozen=True, kw_only=True):
    metrics: tuple[mvp.MonitoredMetric, ...]
    owner: str


class ConditionState(Frozen, frozen=True, kw_only=True):
    text: str
    fulfilled: bool = False


class Facts(Frozen, frozen=True, kw_only=True):
    title: str | None = None
    problem_statement: str | None = None
    business_goal: str | None = None
    sponsor: str | None = None
    owner: str | None = None
    owner_account: str | None = None  # None: the owner is a free-text name
    team: tuple[str, ...] = ()
    team_members: tuple[Person, ...] = ()
    ai_category: str | None = None
    tags: tuple[str, ...] = ()
    workshops: tuple[str, ...] = ()
    scores: Scores | None = None
    priority: float | None = None
    sourcing: ideation.Sourcing | None = None
    risk_preclass: RiskClass | None = None
    risk_class: RiskClass | None = None
    risk_confirmed: bool = False
    hypotheses: dict[str, Hypothesis] = {}
    data_sources: dict[str, str] = {}
    model_choice: str | None = None
    scope: Scope | None = None
    kpis: dict[str, Kpi] = {}
    oversight: Oversight | None = None
    incidents: dict[str, Incident] = {}
    feedback: dict[str, pilot.Sentiment] = {}
    documents: dict[mvp.DocumentKind, Document] = {}
    monitoring: Monitoring | None = None
    checklist: tuple[mvp.ChecklistItem, ...] = ()
    conditions: dict[str, ConditionState] = {}
    accountable: str | None = None
    breached: frozenset[str] = frozenset()
    business_case: BusinessCase | None = None  # the latest, whichever stage refined it
    compliance: Compliance = Compliance()  # EU AI Act: role, obligation statuses, serious incidents
