"""How readiness speaks of the facts: numbers, lists, KPIs and hypotheses in plain words.

Sentences name what a person recognises (a KPI's name, a hypothesis' statement, a
document's kind), never an internal id or a Python repr.
"""

from __future__ import annotations

from collections.abc import Iterable

from events.kpis import KpiDefinition
from events.records import Hypothesis, Kpi

DOCUMENT_NAMES: dict[str, str] = {
    "model_card": "model card",
    "decision_logic": "decision logic",
    "data_sheet": "data sheet",
    "dpia": "DPIA",
    "runbook": "runbook",
}


def number(value: float) -> str:
    """A figure as people write it: 4 not 4.0, 100.2 not 100.20000000001."""
    return f"{value:,.10g}"


def listed(items: Iterable[str]) -> str:
    """ "a", "a and b", "a, b and c"."""
    names = [i for i in items if i]
    if len(names) <= 1:
        return "".join(names)
    return f"{', '.join(names[:-1])} and {names[-1]}"


def counted(n: int, singular: str, plural: str | None = None) -> str:
    return f"{n} {singular if n == 1 else plural or singular + 's'}"


def quoted(text: str, limit: int = 80) -> str:
    short = text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
    return f"“{short}”"


def with_unit(value: float, unit: str) -> str:
    return f"{number(value)} {unit}" if unit and unit != "-" else number(value)


def target(d: KpiDefinition) -> str:
    """ "target 102, lower is better"."""
    return f"target {number(d.target)}, {d.direction} is better"


def latest_of(kpi: Kpi) -> str:
    last = max(kpi.measurements, key=lambda m: m.at, default=None)
    if last is None:
        return f"not measured yet, {target(kpi.definition)}"
    return f"latest {with_unit(last.value, kpi.definition.unit)}, {target(kpi.definition)}"


def kpi_state(kpi: Kpi) -> str:
    """ "Energy use latest 100.2 MWh/month, target 102, lower is better"."""
    return f"{kpi.definition.name} {latest_of(kpi)}"


def kpi_defined(d: KpiDefinition) -> str:
    """ "Energy use: baseline 120 MWh/month, target 102, lower is better"."""
    return f"{d.name}: baseline {with_unit(d.baseline, d.unit)}, {target(d)}"


def criterion(h: Hypothesis) -> str:
    """The success criterion: "accuracy >= 0.9"."""
    return f"{h.metric} {h.comparator} {number(h.threshold)}"


def hypothesis(h: Hypothesis) -> str:
    """ "“The model routes invoices well” (accuracy >= 0.9)"."""
    return f"{quoted(h.statement)} ({criterion(h)})"


def hypothesis_result(h: Hypothesis) -> str:
    """ "“…” (accuracy >= 0.9): result 0.94"."""
    if h.result is None:
        return f"{hypothesis(h)}: no result yet"
    verdict = "validated" if h.validated else "not validated"
    return f"{hypothesis(h)}: result {number(h.result)}, {verdict}"


def document(kind: str) -> str:
    return DOCUMENT_NAMES.get(kind, kind.replace("_", " "))
