"""The pilot's and the MVP's measures (G3, G4): KPIs, oversight, incidents, documents,
monitoring and the release checklist, each with its evidence in words."""

from __future__ import annotations

from collections import Counter

from events.facts import Facts, kpi_on_target, kpis_of
from events.records import Kpi
from events.wording import (
    counted,
    document,
    kpi_defined,
    kpi_state,
    latest_of,
    listed,
    number,
    quoted,
)

Measured = tuple[float, str]  # the number a criterion compares, and the evidence in words
REQUIRED_DOCUMENTS: dict[str, tuple[str, ...]] = {
    "high": ("model_card", "decision_logic", "data_sheet", "dpia", "runbook"),
    "limited": ("model_card", "runbook"),
    "minimal": ("runbook",),
}


def flag(ok: bool, evidence: str) -> Measured:
    return (1.0 if ok else 0.0), evidence


def must_kpis(f: Facts, _: float = 0) -> Measured:
    musts = kpis_of(f, "must")
    if not musts:
        others = f" (only should KPIs: {listed(k.definition.name for k in f.kpis.values())})"
        return 0, "No must KPI defined yet" + (others if f.kpis else "")
    return len(musts), f"{counted(len(musts), 'must KPI')}: " + "; ".join(
        kpi_defined(k.definition) for k in musts
    )


def _measurements(kpi: Kpi, need: float) -> str:
    """ "3 of 3 measurements of Energy use, latest 100.2 MWh/month, target 102, lower is better"."""
    n, needed = len(kpi.measurements), int(need)
    count = f"{n} of {needed}" if n <= needed else f"{n} (of {needed} needed)"
    return f"{count} measurements of {kpi.definition.name}, {latest_of(kpi)}"


def fewest_must_measurements(f: Facts, need: float = 3) -> Measured:
    musts = kpis_of(f, "must")
    if not musts:
        return 0, "No must KPI defined yet, so nothing is measured"
    fewest = min(len(k.measurements) for k in musts)
    return fewest, "; ".join(_measurements(k, need) for k in musts)


def _on_target(kpis: list[Kpi], which: str) -> Measured:
    if not kpis:
        return flag(False, f"No {which}KPI defined yet")
    off = [k for k in kpis if not kpi_on_target(k)]
    on = [k for k in kpis if kpi_on_target(k)]
    parts = [f"off target: {'; '.join(kpi_state(k) for k in off)}"] if off else []
    parts += [f"on target: {'; '.join(kpi_state(k) for k in on)}"] if on else []
    return flag(not off, ". ".join(p[0].upper() + p[1:] for p in parts))


def must_kpis_on_target(f: Facts, _: float = 0) -> Measured:
    return _on_target(kpis_of(f, "must"), "must ")


def all_kpis_on_target(f: Facts, _: float = 0) -> Measured:
    return _on_target(list(f.kpis.values()), "")


def oversight(f: Facts, _: float = 0) -> Measured:
    o = f.oversight
    if o is None:
        return flag(False, "No human oversight design yet")
    return flag(
        True,
        f"{o.accountable} is accountable; {listed(o.override_by)} may override "
        f"the AI; escalation: {quoted(o.escalation_path, 60)}",
    )


def open_critical_incidents(f: Facts, _: float = 0) -> Measured:
    crit = [
        i.title for i in f.incidents.values() if i.severity == "critical" and i.status == "open"
    ]
    if not crit:
        return 0, "No open critical incident" + (
            f" ({counted(len(f.incidents), 'incident')} reported)" if f.incidents else ""
        )
    return len(crit), f"{counted(len(crit), 'critical incident')} open: " + "; ".join(
        quoted(t) for t in crit
    )


def open_incidents(f: Facts, _: float = 0) -> Measured:
    left = [i for i in f.incidents.values() if i.status != "resolved"]
    if not f.incidents:
        return 0, "No incident reported"
    if not left:
        return 0, f"All {counted(len(f.incidents), 'incident')} resolved"
    return len(left), f"{counted(len(left), 'incident')} not resolved: " + "; ".join(
        f"{quoted(i.title)} ({i.severity}, {i.status})" for i in left
    )


def feedback(f: Facts, _: float = 0) -> Measured:
    if not f.feedback:
        return 0, "No user feedback yet"
    moods = Counter(f.feedback.values())
    split = listed(f"{n} {mood}" for mood, n in sorted(moods.items()))
    return len(
        f.feedback
    ), f"{counted(len(f.feedback), 'feedback entry', 'feedback entries')}: {split}"


def scope(f: Facts, _: float = 0) -> Measured:
    s = f.scope
    if s is None:
        return flag(False, "No pilot scope yet")
    weeks = counted(s.planned_weeks, "week")
    return flag(True, f"{s.user_group} at {listed(s.sites)} for {weeks}")


def missing_documents(f: Facts, _: float = 0) -> Measured:
    risk = f.risk_class or "high"
    required = REQUIRED_DOCUMENTS.get(risk, REQUIRED_DOCUMENTS["high"])
    missing = [d for d in required if d not in f.documents]
    whose = f"{risk.capitalize()} risk" if f.risk_class else "An unclassified system (as high risk)"
    needs = f"{whose} needs {listed(document(d) for d in required)}"
    if missing:
        return len(missing), f"{needs}; missing: {listed(document(d) for d in missing)}"
    have = listed(f"{document(d)} v{f.documents[d].version}" for d in required)  # type: ignore[index]
    return 0, f"{needs}: all recorded ({have})"


def monitoring(f: Facts, _: float = 0) -> Measured:
    m = f.monitoring
    if m is None:
        return flag(False, "No monitoring configured yet")
    metrics = listed(f"{x.name} (threshold {number(x.threshold)})" for x in m.metrics)
    return flag(True, f"Monitoring owned by {m.owner}: {metrics}")


def monitored_metrics(f: Facts, _: float = 0) -> Measured:
    names = [m.name for m in f.monitoring.metrics] if f.monitoring else []
    if not names:
        return 0, "No metric monitored yet"
    return len(names), f"{counted(len(names), 'metric')} monitored: {listed(names)}"


def accountable(f: Facts, _: float = 0) -> Measured:
    who = f.accountable
    return flag(
        who is not None,
        f"{who} is accountable"
        if who
        else "Nobody named accountable yet (the oversight design names them)",
    )


def checklist_open(f: Facts, _: float = 0) -> Measured:
    if not f.checklist:
        return 1, "No release checklist yet"
    left = [i.item for i in f.checklist if not i.done]
    total = counted(len(f.checklist), "item")
    if not left:
        return 0, f"All {total} done"
    return len(left), f"{len(left)} of {total} open: " + "; ".join(quoted(i) for i in left)


MEASURES = (
    must_kpis,
    fewest_must_measurements,
    must_kpis_on_target,
    all_kpis_on_target,
    oversight,
    open_critical_incidents,
    open_incidents,
    feedback,
    scope,
    missing_documents,
    monitoring,
    monitored_metrics,
    accountable,
    checklist_open,
)
