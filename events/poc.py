"""Proof of concept: hypotheses and their results, data sources, model choice, risk class.

Its gate is G2 (poc -> pilot). The stream starts with PocOpened.
"""

from __future__ import annotations

from typing import Literal

import msgspec

from events import business_case, compliance, gates, people
from events.base import Command, Event, Id, LongText, Text, event_type
from events.gates import Note, RiskClass

Comparator = Literal[">=", ">", "<=", "<", "=="]


def _t(name: str) -> str:
    return event_type("poc", name)


class PocOpened(gates.StageOpened, tag=_t("poc_opened"), frozen=True, kw_only=True): ...


class HypothesisAdded(Event, tag=_t("hypothesis_added"), frozen=True, kw_only=True):
    """A hypothesis and its success criterion: `metric comparator threshold`."""

    hypothesis_id: Id
    statement: LongText
    metric: Text
    comparator: Comparator
    threshold: float


class ExperimentResultRecorded(
    Event, tag=_t("experiment_result_recorded"), frozen=True, kw_only=True
):
    """A result supersedes any earlier one for the same hypothesis."""

    hypothesis_id: Id
    value: float
    evidence_link: Text
    validated: bool


class DataSourceConfirmed(Event, tag=_t("data_source_confirmed"), frozen=True, kw_only=True):
    source_id: Id
    name: Text
    description: Note = ""


class ModelChosen(Event, tag=_t("model_chosen"), frozen=True, kw_only=True):
    choice: Text
    rationale: LongText


class RiskClassConfirmed(Event, tag=_t("risk_class_confirmed"), frozen=True, kw_only=True):
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
    "poc",
    "G2",
    "pilot",
    GateReviewRequested,
    GateVoteCast,
    GateDecided,
    InitiativeResumed,
    ConditionFulfilled,
    OwnershipHandedOver,
    ReviewOverdue,
)


def validated(comparator: Comparator, value: float, threshold: float) -> bool:
    """Whether a result meets its hypothesis' success criterion."""
    return {
        ">=": value >= threshold,
        ">": value > threshold,
        "<=": value <= threshold,
        "<": value < threshold,
        "==": value == threshold,
    }[comparator]


class OpenPoc(gates.OpenStage, tag="open-poc", frozen=True, kw_only=True): ...


class AddHypothesis(Command, tag="add-hypothesis", frozen=True, kw_only=True):
    hypothesis_id: Id
    statement: LongText
    metric: Text
    comparator: Comparator
    threshold: float


class RecordResult(Command, tag="record-result", frozen=True, kw_only=True):
    hypothesis_id: Id
    value: float
    evidence_link: Text


class ConfirmDataSource(Command, tag="confirm-data-source", frozen=True, kw_only=True):
    source_id: Id
    name: Text
    description: Note = ""


class ChooseModel(Command, tag="choose-model", frozen=True, kw_only=True):
    choice: Text
    rationale: LongText


class ConfirmRiskClass(Command, tag="confirm-risk-class", frozen=True, kw_only=True):
    risk_class: RiskClass
    rationale: LongText


AnyPocEvent = (
    PocOpened
    | HypothesisAdded
    | ExperimentResultRecorded
    | DataSourceConfirmed
    | ModelChosen
    | RiskClassConfirmed
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
PocCommand = (
    OpenPoc
    | AddHypothesis
    | RecordResult
    | ConfirmDataSource
    | ChooseModel
    | ConfirmRiskClass
    | gates.GateCommand
    | people.HandOverOwnership
    | business_case.RefineBusinessCase
    | compliance.RecordAiRole
    | compliance.RecordObligationStatus
)
EVENT_DECODER = msgspec.json.Decoder(AnyPocEvent)
COMMAND_DECODER = msgspec.json.Decoder(PocCommand)
