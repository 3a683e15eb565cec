"""Each timeline event's content in words: "Score recorded: value 4, feasibility 3 … priority
3.6", "KPI Energy use defined: baseline 120 MWh/month, target 102, lower is better".

`say(name, data, names)` gives a headline and a detail sentence from the CloudEvent's
data; `Names` turns the ids events refer to (a KPI, a hypothesis, an incident, a
condition) into what people call them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from events.wording import document, listed, number, quoted, with_unit

Data = dict[str, Any]
STAGE_OPENED = {"poc_opened": "PoC", "pilot_opened": "Pilot", "mvp_opened": "MVP"}
LABELS = {"kpi": "KPI", "poc": "PoC", "mvp": "MVP", "re": "Re"}


@dataclass(frozen=True)
class Names:
    """What people call the things events refer to by id."""

    kpis: dict[str, tuple[str, str]] = field(default_factory=dict)  # id -> (name, unit)
    hypotheses: dict[str, str] = field(default_factory=dict)  # id -> statement
    incidents: dict[str, str] = field(default_factory=dict)  # id -> title
    conditions: dict[str, str] = field(default_factory=dict)  # id -> text

    def kpi(self, kpi_id: str) -> tuple[str, str]:
        return self.kpis.get(kpi_id, ("a KPI", ""))


def label(name: str) -> str:
    """An event kind as a heading: "kpi_defined" -> "KPI defined"."""
    words = [LABELS.get(w, w) for w in name.split("_")]
    return " ".join(words)[:1].upper() + " ".join(words)[1:]


def joined(*parts: str) -> str:
    return "; ".join(p for p in parts if p)


def why(data: Data, key: str = "rationale") -> str:
    return quoted(str(data[key]), 160) if data.get(key) else ""


def _idea(d: Data, _: Names) -> tuple[str, str]:
    return f"Idea {quoted(d.get('title', ''))} proposed", joined(
        f"problem: {quoted(d.get('problem_statement', ''), 160)}",
        f"goal: {quoted(d.get('business_goal', ''), 160)}",
        f"sponsor {d.get('sponsor', '')}, owner {d.get('owner', '')}",
    )


def _refined(d: Data, _: Names) -> tuple[str, str]:
    fields = ("title", "problem_statement", "business_goal", "sponsor", "ai_category")
    changed = [f"{f.replace('_', ' ')} {quoted(str(d[f]), 120)}" for f in fields if d.get(f)]
    changed += [f"{f} {listed(d[f])}" for f in ("team", "tags") if d.get(f) is not None]
    return "Idea refined", joined(*changed)


def _workshop(d: Data, _: Names) -> tuple[str, str]:
    who = listed(d.get("participants", []))
    return f"Workshop held on {d.get('held_on', '')}", joined(
        f"with {who}", f"outcome {quoted(d.get('outcome', ''), 160)}"
    )


def _score(d: Data, _: Names) -> tuple[str, str]:
    return "Score recorded", (
        f"value {d['value']}, feasibility {d['feasibility']}, risk {d['risk']}, "
        f"strategic fit {d['strategic_fit']}; priority {number(d['priority'])}"
    )


def _choice(what: str, key: str) -> Callable[[Data, Names], tuple[str, str]]:
    def say(d: Data, _: Names) -> tuple[str, str]:
        return f"{what}: {d.get(key, '')}", why(d)

    return say


def _hypothesis(d: Data, _: Names) -> tuple[str, str]:
    test = f"{d['metric']} {d['comparator']} {number(d['threshold'])}"
    return "Hypothesis added", f"{quoted(d['statement'], 160)}, validated when {test}"


def _result(d: Data, n: Names) -> tuple[str, str]:
    statement = n.hypotheses.get(d["hypothesis_id"], "a hypothesis")
    verdict = "validated" if d.get("validated") else "not validated"
    return f"Result for {quoted(statement)}", joined(
        f"{number(d['value'])}, {verdict}", f"evidence {d.get('evidence_link', '')}"
    )


def _data_source(d: Data, _: Names) -> tuple[str, str]:
    return f"Data source {d.get('name', '')} confirmed", d.get("description") or ""


def _scope(d: Data, _: Names) -> tuple[str, str]:
    weeks = d.get("planned_weeks", 0)
    return "Pilot scope defined", (
        f"{d.get('user_group', '')} at {listed(d.get('sites', []))} for {weeks} "
        f"week{'s' if weeks != 1 else ''}"
    )


def _kpi(d: Data, _: Names) -> tuple[str, str]:
    k = d.get("kpi", {})
    unit = k.get("unit", "")
    return f"KPI {k.get('name', '')} defined", (
        f"baseline {with_unit(k['baseline'], unit)}, target {number(k['target'])}, "
        f"{k.get('direction', 'higher')} is better ({k.get('importance', 'must')})"
    )


def _measured(d: Data, n: Names) -> tuple[str, str]:
    name, unit = n.kpi(d["kpi_id"])
    source = d.get("source") or "manual"
    return f"{name} measured", f"{with_unit(d['value'], unit)} (source {source})"


def _breached(d: Data, n: Names) -> tuple[str, str]:
    name, unit = n.kpi(d["kpi_id"])
    return f"KPI {name} breached", (
        f"{with_unit(d['value'], unit)} against target {number(d['target'])}, "
        f"{d.get('direction', 'higher')} is better"
    )


def _oversight(d: Data, _: Names) -> tuple[str, str]:
    return "Oversight designed", joined(
        f"{d.get('accountable', '')} accountable",
        f"{listed(d.get('override_by', []))} may override the AI",
        f"boundaries {quoted(d.get('decision_boundaries', ''), 120)}",
        f"escalation {quoted(d.get('escalation_path', ''), 120)}",
    )


def _incident(d: Data, _: Names) -> tuple[str, str]:
    return f"Incident {quoted(d.get('title', ''))} reported", joined(
        f"severity {d.get('severity', '')}",
        f"serious: {str(d['serious']).replace('_', ' ')}" if d.get("serious") else "",
        quoted(d["description"], 160) if d.get("description") else "",
    )


def _incident_status(d: Data, n: Names) -> tuple[str, str]:
    title = n.incidents.get(d["incident_id"], "an incident")
    return f"Incident {quoted(title)} {d.get('status', '')}", why(d, "note")


def _incident_acknowledged(d: Data, n: Names) -> tuple[str, str]:
    title = n.incidents.get(d["incident_id"], "an incident")
    by = f"by {d.get('acknowledged_by', '')}"
    return f"Incident {quoted(title)} acknowledged", joined(by, why(d, "note"))


def _incident_escalated(d: Data, n: Names) -> tuple[str, str]:
    title = n.incidents.get(d["incident_id"], "an incident")
    chair = d.get("escalated_to") or "no chair designated"
    waited = f"not acknowledged within {d.get('limit_hours', '')} hours"
    return f"Incident {quoted(title)} escalated to {chair}", f"{d.get('severity', '')}, {waited}"


def _feedback(d: Data, _: Names) -> tuple[str, str]:
    return "Feedback recorded", joined(
        f"{d.get('sentiment', 'neutral')}, severity {d.get('severity', 'low')}",
        quoted(d.get("summary", ""), 160),
    )


def _document(d: Data, _: Names) -> tuple[str, str]:
    kind = document(str(d.get("kind", "")))
    return f"{kind[:1].upper()}{kind[1:]} v{d.get('version', '')} recorded", joined(
        f"author {d.get('author', '')}", str(d.get("link", ""))
    )


def _monitoring(d: Data, _: Names) -> tuple[str, str]:
    metrics = listed(f"{m['name']} (threshold {number(m['threshold'])})" for m in d["metrics"])
    return "Monitoring configured", f"owned by {d.get('owner', '')}: {metrics}"


def _checklist(d: Data, _: Names) -> tuple[str, str]:
    items = d.get("items", [])
    done = sum(1 for i in items if i.get("done"))
    marks = ", ".join(f"{'[x]' if i.get('done') else '[ ]'} {i['item']}" for i in items)
    return "Release checklist updated", f"{done} of {len(items)} done: {marks}"


SAY: dict[str, Callable[[Data, Names], tuple[str, str]]] = {
    "idea_proposed": _idea,
    "idea_refined": _refined,
    "workshop_held": _workshop,
    "idea_scored": _score,
    "sourcing_decided": _choice("Sourcing decided", "sourcing"),
    "risk_preclassified": _choice("Risk pre-classified as", "risk_class"),
    "hypothesis_added": _hypothesis,
    "experiment_result_recorded": _result,
    "data_source_confirmed": _data_source,
    "model_chosen": _choice("Model or tool chosen", "choice"),
    "risk_class_confirmed": _choice("Risk class confirmed as", "risk_class"),
    "pilot_scope_defined": _scope,
    "kpi_defined": _kpi,
    "kpi_measured": _measured,
    "kpi_breached": _breached,
    "oversight_designed": _oversight,
    "incident_reported": _incident,
    "incident_status_changed": _incident_status,
    "incident_acknowledged": _incident_acknowledged,
    "incident_escalated": _incident_escalated,
    "feedback_recorded": _feedback,
    "document_recorded": _document,
    "monitoring_configured": _monitoring,
    "release_checklist_updated": _checklist,
}
