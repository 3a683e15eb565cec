"""The dossier: the current state of every stage record, as people read it.

What the idea is (problem, goal) and each record of PRODUCT.md section 2 with its
business time: workshops, the score, sourcing, risk class with rationale, hypotheses with
every result, data sources, the model choice, the pilot scope, oversight, incidents with
their status changes, feedback, every version of each document, monitoring and the
release checklist. KPIs and their series are in the metrics view, conditions in the gate
history. Each record belongs to one stage's stream, so the fold is order-free across stages.
"""

from __future__ import annotations

from typing import TypeVar

import msgspec
from msgspec.structs import replace

from events import ideation, incident_limits, mvp, pilot, poc
from events.base import Event
from events.gates import GateVoteCast
from events.kpis import KpiMeasured
from services.projection.views.dossier_records import (
    Checklist,
    Choice,
    DataSource,
    DocumentVersion,
    Dossier,
    Feedback,
    HypothesisRecord,
    IncidentRecord,
    Monitoring,
    Oversight,
    Result,
    Risk,
    Scope,
    Score,
    StatusChange,
    Workshop,
)

T = TypeVar("T", bound=msgspec.Struct)


def project(d: Dossier, event: Event) -> Dossier:
    if isinstance(event, KpiMeasured | GateVoteCast):  # the most frequent: nothing here
        return d
    match event:
        case ideation.IdeaProposed() | ideation.IdeaRefined():
            return replace(
                d,
                problem_statement=event.problem_statement or d.problem_statement,
                business_goal=event.business_goal or d.business_goal,
            )
        case ideation.WorkshopHeld():
            w = Workshop(
                held_on=event.held_on, participants=event.participants, outcome=event.outcome
            )
            return replace(d, workshops=(*d.workshops, w))
        case ideation.IdeaScored():
            score = Score(
                value=event.value,
                feasibility=event.feasibility,
                risk=event.risk,
                strategic_fit=event.strategic_fit,
                priority=event.priority,
                at=event.at,
            )
            return replace(d, score=score)
        case ideation.SourcingDecided():
            return replace(
                d, sourcing=Choice(choice=event.sourcing, rationale=event.rationale, at=event.at)
            )
        case ideation.RiskPreclassified():
            return replace(d, risk_preclass=_risk(event))
        case poc.RiskClassConfirmed():
            return replace(d, risk_confirmed=_risk(event))
        case poc.ModelChosen():
            return replace(
                d, model=Choice(choice=event.choice, rationale=event.rationale, at=event.at)
            )
        case _:
            return _later(d, event)


def _risk(e: ideation.RiskPreclassified | poc.RiskClassConfirmed) -> Risk:
    return Risk(risk_class=e.risk_class, rationale=e.rationale, at=e.at)


def _later(d: Dossier, event: Event) -> Dossier:
    match event:
        case poc.HypothesisAdded():
            h = HypothesisRecord(
                hypothesis_id=event.hypothesis_id,
                statement=event.statement,
                metric=event.metric,
                comparator=event.comparator,
                threshold=event.threshold,
                at=event.at,
            )
            return replace(d, hypotheses=_put(d.hypotheses, "hypothesis_id", h))
        case poc.ExperimentResultRecorded():
            return _result(d, event)
        case poc.DataSourceConfirmed():
            s = DataSource(
                source_id=event.source_id,
                name=event.name,
                description=event.description,
                at=event.at,
            )
            return replace(d, data_sources=_put(d.data_sources, "source_id", s))
        case pilot.PilotScopeDefined():
            return replace(
                d,
                scope=Scope(
                    user_group=event.user_group,
                    sites=event.sites,
                    planned_weeks=event.planned_weeks,
                    at=event.at,
                ),
            )
        case pilot.OversightDesigned():
            o = Oversight(
                override_by=event.override_by,
                accountable=event.accountable,
                decision_boundaries=event.decision_boundaries,
                escalation_path=event.escalation_path,
                at=event.at,
            )
            return replace(d, oversight=o)
        case _:
            return _pilot_and_mvp(d, event)


def _pilot_and_mvp(d: Dossier, event: Event) -> Dossier:
    match event:
        case pilot.IncidentReported():
            i = IncidentRecord(
                incident_id=event.incident_id,
                title=event.title,
                severity=event.severity,
                description=event.description,
                reported_at=event.at,
                escalates_at=incident_limits.due_or_none(event.severity, event.at),
            )
            return replace(d, incidents=_put(d.incidents, "incident_id", i))
        case pilot.IncidentStatusChanged():
            return _incident_changed(d, event)
        case pilot.IncidentAcknowledged():
            ack = {"acknowledged_by": event.acknowledged_by, "acknowledged_at": event.at,
                   "acknowledged_note": event.note}  # fmt: skip
            return _incident(d, event.incident_id, **ack)
        case pilot.IncidentEscalated():
            up = {"escalated_at": event.at, "escalated_to": event.escalated_to}
            return _incident(d, event.incident_id, **up)
        case pilot.FeedbackRecorded():
            f = Feedback(
                feedback_id=event.feedback_id,
                summary=event.summary,
                sentiment=event.sentiment,
                severity=event.severity,
                at=event.at,
            )
            return replace(d, feedback=_put(d.feedback, "feedback_id", f))
        case mvp.DocumentRecorded():
            v = DocumentVersion(
                document_id=event.document_id,
                version=event.version,
                link=event.link,
                author=event.author,
                at=event.at,
            )
            versions = (*d.documents.get(event.kind, ()), v)
            return replace(d, documents={**d.documents, event.kind: versions})
        case mvp.MonitoringConfigured():
            m = Monitoring(metrics=event.metrics, owner=event.owner, at=event.at)
            return replace(d, monitoring=m)
        case mvp.ReleaseChecklistUpdated():
            return replace(d, checklist=Checklist(items=event.items, at=event.at))
        case _:
            return d


def _put(items: tuple[T, ...], key: str, new: T) -> tuple[T, ...]:
    """Add `new`, or replace the record with the same id in its place."""
    ident = getattr(new, key)
    if any(getattr(x, key) == ident for x in items):
        return tuple(new if getattr(x, key) == ident else x for x in items)
    return (*items, new)


def _result(d: Dossier, e: poc.ExperimentResultRecorded) -> Dossier:
    r = Result(value=e.value, evidence_link=e.evidence_link, validated=e.validated, at=e.at)
    hs = tuple(
        replace(h, results=(*h.results, r)) if h.hypothesis_id == e.hypothesis_id else h
        for h in d.hypotheses
    )
    return replace(d, hypotheses=hs)


def _incident(d: Dossier, incident_id: str, **changes: object) -> Dossier:
    found = (replace(i, **changes) if i.incident_id == incident_id else i for i in d.incidents)
    return replace(d, incidents=tuple(found))


def _incident_changed(d: Dossier, e: pilot.IncidentStatusChanged) -> Dossier:
    change = StatusChange(status=e.status, note=e.note, at=e.at)
    found = tuple(
        replace(i, status=e.status, changes=(*i.changes, change))
        if i.incident_id == e.incident_id
        else i
        for i in d.incidents
    )
    return replace(d, incidents=found)
