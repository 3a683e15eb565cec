"""MVP: versioned documentation, monitoring, KPI measurements, release readiness checklist.

Its gate is G4 (mvp -> production). The stream starts with MvpOpened; after launch it
also holds the production events (see events.production).
"""

from __future__ import annotations

from typing import Annotated, Literal

import msgspec

from events import business_case, compliance, gates, kpis, people
from events.base import Command, Event, Frozen, Id, Text, event_type
from events.kpis import RecordMeasurement
from events.production import DecideReReview

DocumentKind = Literal["model_card", "decision_logic", "data_sheet", "dpia", "runbook"]


def _t(name: str) -> str:
    return event_type("mvp", name)


class MonitoredMetric(Frozen, frozen=True, kw_only=True):
    name: Text
    threshold: float


class ChecklistItem(Frozen, frozen=True, kw_only=True):
    item: Text
    done: bool = False


class MvpOpened(gates.StageOpened, tag=_t("mvp_opened"), frozen=True, kw_only=True): ...


class DocumentRecorded(Event, tag=_t("document_recorded"), frozen=True, kw_only=True):
    """A new version of one document; a later version supersedes earlier ones of its kind."""

    document_id: Id
    kind: DocumentKind
    version: Annotated[int, msgspec.Meta(ge=1)]
    link: Text
    author: Text


class MonitoringConfigured(Event, tag=_t("monitoring_configured"), frozen=True, kw_only=True):
    metrics: Annotated[tuple[MonitoredMetric, ...], msgspec.Meta(min_length=1, max_length=50)]
    owner: Text


class KpiMeasured(kpis.KpiMeasured, tag=_t("kpi_measured"), frozen=True, kw_only=True): ...


class ReleaseChecklistUpdated(
    Event, tag=_t("release_checklist_updated"), frozen=True, kw_only=True
):
    """The whole checklist as it now stands."""

    items: Annotated[tuple[ChecklistItem, ...], msgspec.Meta(min_length=1, max_length=100)]


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
    "mvp",
    "G4",
    "production",
    GateReviewRequested,
    GateVoteCast,
    GateDecided,
    InitiativeResumed,
    ConditionFulfilled,
    OwnershipHandedOver,
    ReviewOverdue,
)


class OpenMvp(gates.OpenStage, tag="open-mvp", frozen=True, kw_only=True): ...


class RecordDocument(Command, tag="record-document", frozen=True, kw_only=True):
    document_id: Id
    kind: DocumentKind
    link: Text
    author: Text


class ConfigureMonitoring(Command, tag="configure-monitoring", frozen=True, kw_only=True):
    metrics: Annotated[tuple[MonitoredMetric, ...], msgspec.Meta(min_length=1, max_length=50)]
    owner: Text


class UpdateReleaseChecklist(Command, tag="update-release-checklist", frozen=True, kw_only=True):
    items: Annotated[tuple[ChecklistItem, ...], msgspec.Meta(min_length=1, max_length=100)]


AnyMvpEvent = (
    MvpOpened
    | DocumentRecorded
    | MonitoringConfigured
    | KpiMeasured
    | ReleaseChecklistUpdated
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
MvpCommand = (
    OpenMvp
    | RecordDocument
    | ConfigureMonitoring
    | RecordMeasurement
    | UpdateReleaseChecklist
    | DecideReReview
    | gates.GateCommand
    | people.HandOverOwnership
    | business_case.RefineBusinessCase
    | compliance.RecordAiRole
    | compliance.RecordObligationStatus
)
EVENT_DECODER = msgspec.json.Decoder(AnyMvpEvent)
COMMAND_DECODER = msgspec.json.Decoder(MvpCommand)
