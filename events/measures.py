"""Named measures over Facts: each returns a number and the evidence behind it.

Criteria (events.criteria) refer to these by name, so criteria stay data.
"""

from __future__ import annotations

from collections.abc import Callable

from events.facts import Facts, kpi_on_target, kpis_of, open_conditions

Measured = tuple[float, str]
Measure = Callable[[Facts], Measured]

REQUIRED_DOCUMENTS: dict[str, tuple[str, ...]] = {
    "high": ("model_card", "decision_logic", "data_sheet", "dpia", "runbook"),
    "limited": ("model_card", "runbook"),
    "minimal": ("runbook",),
}


def _flag(ok: bool, evidence: str) -> Measured:
    return (1.0 if ok else 0.0), evidence


def _names(items: object) -> str:
    listed = ", ".join(str(i) for i in items) if isinstance(items, list | tuple) else str(items)
    return listed or "none"


def problem_and_goal(f: Facts) -> Measured:
    missing = [
        n
        for n, v in (("problem statement", f.problem_statement), ("goal", f.business_goal))
        if not v
    ]
    return _flag(
        not missing, f"missing: {_names(missing)}" if missing else f"goal: {f.business_goal}"
    )


def sponsor_and_owner(f: Facts) -> Measured:
    return _flag(bool(f.sponsor and f.owner), f"sponsor {f.sponsor or '-'}, owner {f.owner or '-'}")


def scored(f: Facts) -> Measured:
    return _flag(f.scores is not None, f"priority {f.priority}" if f.scores else "not scored")


def sourcing_decided(f: Facts) -> Measured:
    return _flag(f.sourcing is not None, f"sourcing: {f.sourcing or 'undecided'}")


def risk_preclass_allowed(f: Facts) -> Measured:
    ok = f.risk_preclass is not None and f.risk_preclass != "prohibited"
    return _flag(ok, f"pre-class: {f.risk_preclass or 'not pre-classified'}")


def workshops(f: Facts) -> Measured:
    return len(f.workshops), f"workshops: {_names(f.workshops)}"


def tags(f: Facts) -> Measured:
    return len(f.tags), f"tags: {_names(f.tags)}"


def team(f: Facts) -> Measured:
    return len(f.team), f"team: {_names(f.team)}"


def priority(f: Facts) -> Measured:
    return f.priority or 0.0, f"priority {f.priority or 'not derived'}"


def hypotheses(f: Facts) -> Measured:
    return len(f.hypotheses), f"hypotheses: {_names(list(f.hypotheses))}"


def hypotheses_without_result(f: Facts) -> Measured:
    missing = [hid for hid, h in f.hypotheses.items() if h.result is None]
    return len(missing), f"without result: {_names(missing)}"


def hypotheses_validated(f: Facts) -> Measured:
    ok = [hid for hid, h in f.hypotheses.items() if h.validated]
    return len(ok), f"validated: {_names(ok)}"


def hypotheses_not_validated(f: Facts) -> Measured:
    not_ok = [hid for hid, h in f.hypotheses.items() if not h.validated]
    return len(not_ok), f"not validated: {_names(not_ok)}"


def data_sources(f: Facts) -> Measured:
    return len(f.data_sources), f"sources: {_names(list(f.data_sources.values()))}"


def model_chosen(f: Facts) -> Measured:
    return _flag(f.model_choice is not None, f"model/tool: {f.model_choice or 'not chosen'}")


def risk_class_confirmed(f: Facts) -> Measured:
    ok = f.risk_confirmed and f.risk_class != "prohibited"
    return _flag(ok, f"risk class: {f.risk_class} ({'confirmed' if f.risk_confirmed else 'open'})")


def conditions_open(f: Facts) -> Measured:
    left = open_conditions(f)
    return len(left), f"open: {_names([c.text for c in left])}"


def must_kpis(f: Facts) -> Measured:
    return len(kpis_of(f, "must")), f"KPIs: {_names(list(f.kpis))}"


def fewest_must_measurements(f: Facts) -> Measured:
    counts = {k.definition.kpi_id: len(k.measurements) for k in kpis_of(f, "must")}
    return min(counts.values(), default=0), f"measurements: {counts}"


def must_kpis_on_target(f: Facts) -> Measured:
    kpis = kpis_of(f, "must")
    off = [k.definition.name for k in kpis if not kpi_on_target(k)]
    return _flag(bool(kpis) and not off, f"off target: {_names(off)}")


def all_kpis_on_target(f: Facts) -> Measured:
    off = [k.definition.name for k in f.kpis.values() if not kpi_on_target(k)]
    return _flag(bool(f.kpis) and not off, f"off target: {_names(off)}")


def oversight(f: Facts) -> Measured:
    o = f.oversight
    return _flag(o is not None, f"accountable: {o.accountable}" if o else "no oversight design")


def open_critical_incidents(f: Facts) -> Measured:
    crit = [
        i.title for i in f.incidents.values() if i.severity == "critical" and i.status == "open"
    ]
    return len(crit), f"open critical: {_names(crit)}"


def open_incidents(f: Facts) -> Measured:
    left = [i.title for i in f.incidents.values() if i.status != "resolved"]
    return len(left), f"unresolved: {_names(left)}"


def feedback(f: Facts) -> Measured:
    return len(f.feedback), f"{len(f.feedback)} feedback entries"


def scope(f: Facts) -> Measured:
    s = f.scope
    return _flag(s is not None, f"scope: {s.user_group}" if s else "no scope")


def missing_documents(f: Facts) -> Measured:
    required = REQUIRED_DOCUMENTS.get(f.risk_class or "high", REQUIRED_DOCUMENTS["high"])
    missing = [d for d in required if d not in f.documents]
    return len(missing), f"missing for {f.risk_class or 'unknown'} risk: {_names(missing)}"


def monitoring(f: Facts) -> Measured:
    m = f.monitoring
    return _flag(m is not None, f"monitoring owner: {m.owner}" if m else "no monitoring")


def monitored_metrics(f: Facts) -> Measured:
    metrics = [m.name for m in f.monitoring.metrics] if f.monitoring else []
    return len(metrics), f"metrics: {_names(metrics)}"


def accountable(f: Facts) -> Measured:
    return _flag(f.accountable is not None, f"accountable: {f.accountable or 'nobody'}")


def checklist_open(f: Facts) -> Measured:
    left = [i.item for i in f.checklist if not i.done]
    return (len(left) if f.checklist else 1), f"open items: {_names(left or ['no checklist'])}"


MEASURES: dict[str, Measure] = {
    fn.__name__: fn
    for fn in (
        problem_and_goal,
        sponsor_and_owner,
        scored,
        sourcing_decided,
        risk_preclass_allowed,
        workshops,
        tags,
        team,
        priority,
        hypotheses,
        hypotheses_without_result,
        hypotheses_validated,
        hypotheses_not_validated,
        data_sources,
        model_chosen,
        risk_class_confirmed,
        conditions_open,
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
}
