"""The stage work each stage's page offers, as forms over the API's bodies and dispatch."""

from __future__ import annotations

from typing import Any, get_args

import msgspec

from api import bodies as b
from api.auth import WORKERS
from api.deps import Deps, checked_id
from api.dispatch import Accepted, kpi_stage, record, send
from api.people import refinement
from events import ideation, mvp, pilot, poc
from events.base import Actor, Command
from events.compliance import SeriousKind
from events.gates import RiskClass
from events.ideation import Sourcing
from events.kpis import Direction, Importance, RecordMeasurement
from events.mvp import DocumentKind
from events.pilot import IncidentStatus, Sentiment, Severity
from events.poc import Comparator
from web.case_form import BUSINESS_CASE
from web.forms import Field, FormSpec, Send
from web.obligation_forms import FORMS as OBLIGATION_FORMS

RISK = Field("risk_class", "EU AI Act risk class", "select", get_args(RiskClass))
RATIONALE = Field("rationale", "Rationale", "textarea")


def recorder(stage: str, command: type[Command], id_field: str | None = None) -> Send:
    async def send(
        deps: Deps, actor: Actor, iid: str, body: msgspec.Struct, extra: dict[str, Any]
    ) -> Accepted:
        assert isinstance(body, b.Body)
        return await record(deps.broker, actor, iid, stage=stage, command_type=command,
                            body=body, id_field=id_field, **extra)  # fmt: skip

    return send


async def _measure(
    deps: Deps, actor: Actor, iid: str, body: msgspec.Struct, extra: dict[str, Any]
) -> Accepted:
    """A KPI measurement goes to whichever service owns the initiative (pilot or mvp)."""
    assert isinstance(body, b.MeasurementBody)
    stage, open_wait = await kpi_stage(deps.broker, checked_id(iid))
    kpi_id = checked_id(str(extra["kpi_id"]), "KPI")
    return await record(deps.broker, actor, iid, stage=stage, command_type=RecordMeasurement,
                        body=body, id_field="measurement_id", kpi_id=kpi_id,
                        open_wait=open_wait)  # fmt: skip


async def _refine(
    deps: Deps, actor: Actor, iid: str, body: msgspec.Struct, _: dict[str, Any]
) -> Accepted:
    """Team names that are users' names become those accounts; the owner is handed over."""
    assert isinstance(body, b.RefineIdeaBody)
    command = await refinement(deps.names, actor, checked_id(iid), body)
    return await send(deps.broker, "ideation", command, body.expected_version)


def _score(name: str, label: str) -> Field:
    return Field(name, label, "number", hint="1 (low) to 5 (high)", step="1")


def spec(key: str, title: str, stages: tuple[str, ...], body: type[msgspec.Struct],
         send: Send, *fields: Field, intro: str = "") -> FormSpec:  # fmt: skip
    return FormSpec(key=key, title=title, stages=stages, body=body, fields=fields, send=send,
                    roles=WORKERS, intro=intro)  # fmt: skip


MEASUREMENT = spec(
    "measurement", "KPI measurement", ("pilot", "mvp", "production"), b.MeasurementBody,
    _measure,
    Field("kpi_id", "KPI", "select", extra=True),
    Field("value", "Value", "number"),
    Field("source", "Source", hint="where the value comes from, e.g. the BI report",
          required=False),
)  # fmt: skip

FORMS: tuple[FormSpec, ...] = (
    spec("workshop", "Ideation workshop", ("ideation",), b.WorkshopBody,
         recorder("ideation", ideation.HoldWorkshop, "workshop_id"),
         Field("held_on", "Date held", "date"),
         Field("participants", "Participants", "list", hint="names, separated by commas"),
         Field("outcome", "Outcome", "textarea")),
    spec("refine", "Refine the idea", ("ideation",), b.RefineIdeaBody, _refine,
         Field("title", "Title", required=False),
         Field("problem_statement", "Problem statement", "textarea", required=False),
         Field("business_goal", "Business goal", "textarea", required=False),
         Field("sponsor", "Sponsor", required=False),
         Field("team", "Team", "list", required=False,
               hint="user names or names, separated by commas; replaces the team"),
         Field("tags", "Tags", "list", hint="separated by commas", required=False),
         intro="Only the fields you fill in change."),
    spec("score", "Score", ("ideation",), b.ScoreBody,
         recorder("ideation", ideation.ScoreIdea),
         _score("value", "Value"), _score("feasibility", "Feasibility"),
         _score("risk", "Risk"), _score("strategic_fit", "Strategic fit"),
         intro="Each from 1 to 5; the priority is derived."),
    spec("sourcing", "Sourcing decision", ("ideation",), b.SourcingBody,
         recorder("ideation", ideation.DecideSourcing),
         Field("sourcing", "Sourcing", "select", get_args(Sourcing)), RATIONALE),
    spec("risk", "EU AI Act risk pre-classification", ("ideation",), b.RiskBody,
         recorder("ideation", ideation.PreclassifyRisk), RISK, RATIONALE),
    spec("hypothesis", "Hypothesis", ("poc",), b.HypothesisBody,
         recorder("poc", poc.AddHypothesis, "hypothesis_id"),
         Field("statement", "Hypothesis", "textarea"),
         Field("metric", "Metric"),
         Field("comparator", "Comparator", "select", get_args(Comparator)),
         Field("threshold", "Threshold", "number"),
         intro="The success criterion reads: metric comparator threshold."),
    spec("result", "Experiment result", ("poc",), b.ResultBody,
         recorder("poc", poc.RecordResult),
         Field("hypothesis_id", "Hypothesis", "select", extra=True),
         Field("value", "Measured value", "number"),
         Field("evidence_link", "Evidence link", hint="a URL or document reference")),
    spec("data-source", "Data source confirmed", ("poc",), b.DataSourceBody,
         recorder("poc", poc.ConfirmDataSource, "source_id"),
         Field("name", "Name"), Field("description", "Description", required=False)),
    spec("model", "Model or tool choice", ("poc",), b.ModelChoiceBody,
         recorder("poc", poc.ChooseModel),
         Field("choice", "Model or tool"), RATIONALE),
    spec("poc-risk", "Risk class confirmed", ("poc",), b.RiskBody,
         recorder("poc", poc.ConfirmRiskClass), RISK, RATIONALE),
    spec("scope", "Pilot scope", ("pilot",), b.ScopeBody,
         recorder("pilot", pilot.DefineScope),
         Field("user_group", "User group"),
         Field("sites", "Sites", "list", hint="separated by commas"),
         Field("planned_weeks", "Planned duration (weeks)", "number", step="1")),
    spec("kpi", "KPI", ("pilot",), b.KpiBody,
         recorder("pilot", pilot.DefineKpi, "kpi_id"),
         Field("name", "Name"), Field("unit", "Unit"),
         Field("baseline", "Baseline", "number"), Field("target", "Target", "number"),
         Field("direction", "Better is", "select", get_args(Direction)),
         Field("importance", "Importance", "select", get_args(Importance))),
    MEASUREMENT,
    spec("oversight", "Human oversight", ("pilot",), b.OversightBody,
         recorder("pilot", pilot.DesignOversight),
         Field("override_by", "Who may override the AI", "list", hint="separated by commas"),
         Field("decision_boundaries", "Decision boundaries", "textarea"),
         Field("escalation_path", "Escalation path", "textarea"),
         Field("accountable", "Accountable person")),
    spec("incident", "Incident", ("pilot",), b.IncidentBody,
         recorder("pilot", pilot.ReportIncident, "incident_id"),
         Field("title", "Title"),
         Field("severity", "Severity", "select", get_args(Severity)),
         Field("description", "Description", "textarea", required=False),
         Field("serious", "Serious incident (Art. 3(49))", "select", get_args(SeriousKind),
               required=False, hint="starts the Art. 73 report clock: 15 days, 10 if a person"
               " died, 2 for critical infrastructure or a widespread infringement"),
         Field("aware_at", "Aware since", required=False,
               hint="when the company learnt of it, e.g. 2026-11-02T08:30:00Z; empty: now"),
         Field("causal_link_at", "Causal link established", required=False,
               hint="when a link with the AI system was established, same form")),
    spec("incident-status", "Incident status", ("pilot",), b.IncidentStatusBody,
         recorder("pilot", pilot.ChangeIncidentStatus),
         Field("incident_id", "Incident", "select", extra=True),
         Field("status", "Status", "select", get_args(IncidentStatus)),
         Field("note", "Note", required=False)),
    spec("feedback", "User feedback", ("pilot",), b.FeedbackBody,
         recorder("pilot", pilot.RecordFeedback, "feedback_id"),
         Field("summary", "Feedback", "textarea"),
         Field("sentiment", "Sentiment", "select", get_args(Sentiment)),
         Field("severity", "Severity", "select", get_args(Severity))),
    spec("document", "Documentation", ("mvp",), b.DocumentBody,
         recorder("mvp", mvp.RecordDocument, "document_id"),
         Field("kind", "Document", "select", get_args(DocumentKind)),
         Field("link", "Link"), Field("author", "Author")),
    spec("checklist", "Release readiness checklist", ("mvp",), b.ChecklistBody,
         recorder("mvp", mvp.UpdateReleaseChecklist),
         Field("items", "Checklist", "checklist",
               hint="one item per line; put [x] in front of the done ones")),
    spec("monitoring", "Monitoring", ("mvp",), b.MonitoringBody,
         recorder("mvp", mvp.ConfigureMonitoring),
         Field("metrics", "Metrics and thresholds", "metrics",
               hint="one per line: name: threshold"),
         Field("owner", "Monitoring owner")),
    BUSINESS_CASE,
    *OBLIGATION_FORMS,
)  # fmt: skip
BY_KEY = {f.key: f for f in FORMS}


def for_stage(stage: str) -> list[FormSpec]:
    return [f for f in FORMS if stage in f.stages]
