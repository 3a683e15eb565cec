"""Pilot: scope, KPIs and their measurements, human oversight, incidents and feedback.

Its gate is G3 (pilot -> mvp). The stream starts with PilotOpened.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

import msgspec

from events import business_case, compliance, gates, kpis, people
from events.base import Command, Event, Id, LongText, Text, event_type
from events.compliance import Moment, SeriousKind
from events.gates import Note
from events.kpis import Direction, Importance, RecordMeasurement

Severity = Literal["low", "medium", "high", "critical"]
IncidentStatus = Literal["open", "mitigated", "resolved"]
Sentiment = Literal["positive", "neutral", "negative"]
Names = Annotated[tuple[Text, ...], msgspec.Meta(min_length=1, max_length=50)]


def _t(name: str) -> str:
    return event_type("pilot", name)


class PilotOpened(gates.StageOpened, tag=_t("pilot_opened"), frozen=True, kw_only=True): ...


class PilotScopeDefined(Event, tag=_t("pilot_scope_defined"), frozen=True, kw_only=True):
    user_group: Text
    sites: Names
    planned_weeks: Annotated[int, msgspec.Meta(ge=1, le=104)]


class KpiDefined(Event, tag=_t("kpi_defined"), frozen=True, kw_only=True):
    """A KPI; defining the same kpi_id again supersedes the definition, keeping measurements."""

    kpi: kpis.KpiDefinition


class KpiMeasured(kpis.KpiMeasured, tag=_t("kpi_measured"), frozen=True, kw_only=True): ...


class OversightDesigned(Event, tag=_t("oversight_designed"), frozen=True, kw_only=True):
    """Who may override the AI, within which boundaries, where it escalates, who answers for it."""

    override_by: Names
    decision_boundaries: LongText
    escalation_path: LongText
    accountable: Text


class IncidentReported(Event, tag=_t("incident_reported"), frozen=True, kw_only=True):
    """`serious`: the Art. 3(49) kind of a serious incident (None: not serious), with when
    the company became aware of it (None: when reported) and when a causal link with the
    system was established (None: not yet), for the Art. 73 report duty."""

    incident_id: Id
    title: Text
    severity: Severity
    description: LongText | None = None
    serious: SeriousKind | None = None
    aware_at: datetime | None = None
    causal_link_at: datetime | None = None


class IncidentStatusChanged(Event, tag=_t("incident_status_changed"), frozen=True, kw_only=True):
    incident_id: Id
    status: IncidentStatus
    note: Note = ""


class IncidentAcknowledged(Event, tag=_t("incident_acknowledged"), frozen=True, kw_only=True):
    """A person has taken the incident on: it no longer escalates to the committee chair."""

    incident_id: Id
    acknowledged_by: Id
    note: Note = ""


class IncidentEscalated(Event, tag=_t("incident_escalated"), frozen=True, kw_only=True):
    """A high or critical incident no one acknowledged within its time limit
    (events.incident_limits), escalated by Tollgate to the committee chair, `escalated_to`
    (None: no chair is designated). `accountable`: who was notified at once."""

    incident_id: Id
    severity: Severity
    reported_at: datetime
    due_at: datetime
    limit_hours: Annotated[int, msgspec.Meta(ge=1)]
    limits_version: Text
    accountable: Text | None = None
    escalated_to: Id | None = None


class FeedbackRecorded(Event, tag=_t("feedback_recorded"), frozen=True, kw_only=True):
    feedback_id: Id
    summary: LongText
    sentiment: Sentiment = "neutral"
    severity: Severity = "low"


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
    "pilot",
    "G3",
    "mvp",
    GateReviewRequested,
    GateVoteCast,
    GateDecided,
    InitiativeResumed,
    ConditionFulfilled,
    OwnershipHandedOver,
    ReviewOverdue,
)


class OpenPilot(gates.OpenStage, tag="open-pilot", frozen=True, kw_only=True): ...


class DefineScope(Command, tag="define-scope", frozen=True, kw_only=True):
    user_group: Text
    sites: Names
    planned_weeks: Annotated[int, msgspec.Meta(ge=1, le=104)]


class DefineKpi(Command, tag="define-kpi", frozen=True, kw_only=True):
    kpi_id: Id
    name: Text
    unit: Text
    baseline: float
    target: float
    direction: Direction = "higher"
    importance: Importance = "must"


class DesignOversight(Command, tag="design-oversight", frozen=True, kw_only=True):
    override_by: Names
    decision_boundaries: LongText
    escalation_path: LongText
    accountable: Text


class ReportIncident(Command, tag="report-incident", frozen=True, kw_only=True):
    incident_id: Id
    title: Text
    severity: Severity
    description: LongText | None = None
    serious: SeriousKind | None = None  # the Art. 3(49) kind of a serious incident
    aware_at: Moment | None = None  # when the company became aware (None: now)
    causal_link_at: Moment | None = None  # when a causal link was established


class ChangeIncidentStatus(Command, tag="change-incident-status", frozen=True, kw_only=True):
    incident_id: Id
    status: IncidentStatus
    note: Note = ""


class AcknowledgeIncident(Command, tag="acknowledge-incident", frozen=True, kw_only=True):
    """A person takes an incident on (the accountable person, the committee or an admin)."""

    incident_id: Id
    note: Note = ""


class EscalateIncident(Command, tag="escalate-incident", frozen=True, kw_only=True):
    """Sent by the scheduler as Tollgate itself, with the clock's time as `at`: raise
    incident_escalated when the incident waited past its time limit unacknowledged."""

    incident_id: Id
    chair: Id | None = None  # the committee chair it escalates to


class RecordFeedback(Command, tag="record-feedback", frozen=True, kw_only=True):
    feedback_id: Id
    summary: LongText
    sentiment: Sentiment = "neutral"
    severity: Severity = "low"


AnyPilotEvent = (
    PilotOpened
    | PilotScopeDefined
    | KpiDefined
    | KpiMeasured
    | OversightDesigned
    | IncidentReported
    | IncidentStatusChanged
    | IncidentAcknowledged
    | IncidentEscalated
    | FeedbackRecorded
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
PilotCommand = (
    OpenPilot
    | DefineScope
    | DefineKpi
    | RecordMeasurement
    | DesignOversight
    | ReportIncident
    | ChangeIncidentStatus
    | AcknowledgeIncident
    | EscalateIncident
    | RecordFeedback
    | gates.GateCommand
    | people.HandOverOwnership
    | business_case.RefineBusinessCase
    | compliance.RecordAiRole
    | compliance.RecordObligationStatus
)
EVENT_DECODER = msgspec.json.Decoder(AnyPilotEvent)
COMMAND_DECODER = msgspec.json.Decoder(PilotCommand)
