"""The part of the facts fold that each stage's own work events contribute."""

from __future__ import annotations

from msgspec.structs import replace

from events import ideation, mvp, pilot, poc
from events.compliance import Compliance, SeriousIncident, with_serious
from events.people import free_text
from events.records import (
    Document,
    Facts,
    Hypothesis,
    Incident,
    Kpi,
    Monitoring,
    Oversight,
    Scope,
    Scores,
)

IdeationWork = (
    ideation.IdeaProposed
    | ideation.IdeaRefined
    | ideation.WorkshopHeld
    | ideation.IdeaScored
    | ideation.SourcingDecided
    | ideation.RiskPreclassified
)
PocWork = (
    poc.HypothesisAdded
    | poc.ExperimentResultRecorded
    | poc.DataSourceConfirmed
    | poc.ModelChosen
    | poc.RiskClassConfirmed
)
PilotWork = (
    pilot.PilotScopeDefined
    | pilot.KpiDefined
    | pilot.OversightDesigned
    | pilot.IncidentReported
    | pilot.IncidentStatusChanged
    | pilot.IncidentAcknowledged
    | pilot.IncidentEscalated
    | pilot.FeedbackRecorded
)
MvpWork = mvp.DocumentRecorded | mvp.MonitoringConfigured | mvp.ReleaseChecklistUpdated
IDEA_FIELDS = ("title", "problem_statement", "business_goal", "sponsor", "owner", "team", "tags")


def apply_ideation(facts: Facts, e: IdeationWork) -> Facts:
    match e:
        case ideation.IdeaProposed() | ideation.IdeaRefined():
            changed = {f: getattr(e, f) for f in IDEA_FIELDS if getattr(e, f) is not None}
            category = e.ai_category or facts.ai_category
            return replace(facts, **changed, **_people(e), ai_category=category)
        case ideation.WorkshopHeld():
            return replace(facts, workshops=(*facts.workshops, e.workshop_id))
        case ideation.IdeaScored():
            scores = Scores(
                value=e.value, feasibility=e.feasibility, risk=e.risk, strategic_fit=e.strategic_fit
            )
            return replace(facts, scores=scores, priority=e.priority)
        case ideation.SourcingDecided():
            return replace(facts, sourcing=e.sourcing)
        case ideation.RiskPreclassified():
            return replace(facts, risk_preclass=e.risk_class)


def _people(e: ideation.IdeaProposed | ideation.IdeaRefined) -> dict[str, object]:
    """The accounts an idea names. A team recorded before accounts existed is free text;
    so is an owner renamed by a refinement (only a handover changes the owner now)."""
    found: dict[str, object] = {}
    if e.owner is not None:
        found["owner_account"] = e.owner_account if isinstance(e, ideation.IdeaProposed) else None
    if e.team is not None or e.team_members is not None:
        found["team_members"] = e.team_members or free_text(e.team or ())
    return found


def apply_poc(facts: Facts, e: PocWork) -> Facts:
    match e:
        case poc.HypothesisAdded():
            h = Hypothesis(
                statement=e.statement,
                metric=e.metric,
                comparator=e.comparator,
                threshold=e.threshold,
            )
            return replace(facts, hypotheses={**facts.hypotheses, e.hypothesis_id: h})
        case poc.ExperimentResultRecorded():
            old = facts.hypotheses[e.hypothesis_id]
            h = replace(old, result=e.value, evidence_link=e.evidence_link, validated=e.validated)
            return replace(facts, hypotheses={**facts.hypotheses, e.hypothesis_id: h})
        case poc.DataSourceConfirmed():
            return replace(facts, data_sources={**facts.data_sources, e.source_id: e.name})
        case poc.ModelChosen():
            return replace(facts, model_choice=e.choice)
        case poc.RiskClassConfirmed():
            return replace(facts, risk_class=e.risk_class, risk_confirmed=True)


def apply_pilot(facts: Facts, e: PilotWork) -> Facts:
    match e:
        case pilot.PilotScopeDefined():
            scope = Scope(user_group=e.user_group, sites=e.sites, planned_weeks=e.planned_weeks)
            return replace(facts, scope=scope)
        case pilot.KpiDefined():
            old = facts.kpis.get(e.kpi.kpi_id)
            kpi = replace(old, definition=e.kpi) if old else Kpi(definition=e.kpi)
            return replace(facts, kpis={**facts.kpis, e.kpi.kpi_id: kpi})
        case pilot.OversightDesigned():
            oversight = Oversight(
                override_by=e.override_by,
                decision_boundaries=e.decision_boundaries,
                escalation_path=e.escalation_path,
                accountable=e.accountable,
            )
            return replace(facts, oversight=oversight, accountable=e.accountable)
        case pilot.IncidentReported():
            incident = Incident(title=e.title, severity=e.severity, reported_at=e.at)
            facts = replace(facts, compliance=_serious(facts.compliance, e))
            return replace(facts, incidents={**facts.incidents, e.incident_id: incident})
        case pilot.IncidentStatusChanged():
            changed = replace(facts.incidents[e.incident_id], status=e.status)
            return replace(facts, incidents={**facts.incidents, e.incident_id: changed})
        case pilot.IncidentAcknowledged():
            acknowledged = replace(
                facts.incidents[e.incident_id], acknowledged_by=e.acknowledged_by
            )
            return replace(facts, incidents={**facts.incidents, e.incident_id: acknowledged})
        case pilot.IncidentEscalated():
            escalated = replace(facts.incidents[e.incident_id], escalated=True)
            return replace(facts, incidents={**facts.incidents, e.incident_id: escalated})
        case pilot.FeedbackRecorded():
            return replace(facts, feedback={**facts.feedback, e.feedback_id: e.sentiment})


def apply_mvp(facts: Facts, e: MvpWork) -> Facts:
    match e:
        case mvp.DocumentRecorded():
            doc = Document(
                document_id=e.document_id, version=e.version, link=e.link, author=e.author
            )
            return replace(facts, documents={**facts.documents, e.kind: doc})
        case mvp.MonitoringConfigured():
            return replace(facts, monitoring=Monitoring(metrics=e.metrics, owner=e.owner))
        case mvp.ReleaseChecklistUpdated():
            return replace(facts, checklist=e.items)


def _serious(c: Compliance, e: pilot.IncidentReported) -> Compliance:
    """A serious incident (Art. 3(49)) starts the Art. 73 clock at awareness."""
    if e.serious is None:
        return c
    serious = SeriousIncident(
        incident_id=e.incident_id, title=e.title, kind=e.serious, aware_at=e.aware_at or e.at,
        causal_link_at=e.causal_link_at,
    )  # fmt: skip
    return with_serious(c, serious)
