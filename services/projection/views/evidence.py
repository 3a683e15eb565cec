"""The evidence on file, item by item in words, and what changed between two moments.

`inventory` lists what an initiative's facts hold (each hypothesis, result, data source,
KPI, incident, document, the model choice ...) under a stable key; a decision's replay
keeps the inventory of its moment. `changes` compares the inventory at a recycle with a
later one: evidence added, superseded (the same item, now different), and the criteria
that were unmet then and still are.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from datetime import datetime

from events.base import Frozen
from events.criteria import CriterionResult, Readiness
from events.facts import Facts, latest
from events.gates import Gate


class Item(Frozen, frozen=True, kw_only=True):
    label: str  # what it is: "Hypothesis “Routing is faster”"
    text: str  # what it says now: "minutes <= 10"
    count: int = 0  # for a series (measurements): how many; more later reads as added


class Change(Frozen, frozen=True, kw_only=True):
    label: str
    before: str
    after: str


class Changes(Frozen, frozen=True, kw_only=True):
    """Since a recycle decision at `gate` (at `since`) until `until` (None: now)."""

    gate: Gate
    since: datetime
    until: datetime | None
    added: tuple[Item, ...]
    superseded: tuple[Change, ...]
    still_missing: tuple[CriterionResult, ...]  # unmet then and still unmet
    now_met: tuple[str, ...]  # criteria unmet then, met now


def _n(value: float) -> str:
    return f"{value:,.10g}"


def _q(text: str) -> str:
    return f"“{text if len(text) <= 80 else text[:79].rstrip() + '…'}”"


Entry = tuple[str, str, str | None] | tuple[str, str, str | None, int]  # key, label, text
# (None: not on file)[, count]


def _idea(f: Facts) -> Iterator[Entry]:
    s = f.scores
    yield "problem", "Problem statement", f.problem_statement
    yield "goal", "Business goal", f.business_goal
    yield "sponsor", "Sponsor", f.sponsor
    yield "owner", "Owner", f.owner
    yield "team", "Team", ", ".join(f.team) or None
    yield "tags", "Tags", ", ".join(f.tags) or None
    yield "workshops", "Workshops held", str(len(f.workshops)) if f.workshops else None
    scores = f"value {s.value}, feasibility {s.feasibility}, risk {s.risk}" if s else None
    yield "scores", "Scores", f"{scores}, fit {s.strategic_fit}" if s else None
    yield "sourcing", "Sourcing", f.sourcing
    yield "risk_preclass", "Risk pre-classification", f.risk_preclass
    yield "risk_class", "Confirmed risk class", f.risk_class if f.risk_confirmed else None
    yield "model", "Model or tool", f.model_choice


def _poc(f: Facts) -> Iterator[Entry]:
    for hid, h in f.hypotheses.items():
        test = f"{h.metric} {h.comparator} {_n(h.threshold)}"
        yield f"hypothesis:{hid}", f"Hypothesis {_q(h.statement)}", test
        if h.result is not None:
            verdict = "validated" if h.validated else "not validated"
            yield f"result:{hid}", f"Result of {_q(h.statement)}", f"{_n(h.result)}, {verdict}"
    for sid, name in f.data_sources.items():
        yield f"source:{sid}", f"Data source {_q(name)}", "confirmed"


def _kpis(f: Facts) -> Iterator[Entry]:
    for kid, k in f.kpis.items():
        d, last, n = k.definition, latest(k), len(k.measurements)
        goal = f"target {_n(d.target)} {d.unit}, {d.direction} is better"
        yield (
            f"kpi:{kid}",
            f"KPI {_q(d.name)}",
            f"{d.importance}, baseline {_n(d.baseline)}, {goal}",
        )
        if last is not None:
            seen = f"{n} measurement{'s' * (n != 1)}, latest {_n(last.value)} {d.unit}"
            yield f"measured:{kid}", f"measurements of {_q(d.name)}", seen, n


def _pilot(f: Facts) -> Iterator[Entry]:
    if f.scope:
        weeks = f"{f.scope.planned_weeks} week{'s' * (f.scope.planned_weeks != 1)}"
        yield "scope", "Pilot scope", f"{f.scope.user_group} at {', '.join(f.scope.sites)}, {weeks}"
    if f.oversight:
        o = f.oversight
        who = f"override by {', '.join(o.override_by)}; escalation {o.escalation_path}"
        yield "oversight", "Human oversight", f"{who}; accountable {o.accountable}"
    for iid, i in f.incidents.items():
        yield f"incident:{iid}", f"Incident {_q(i.title)}", f"{i.severity}, {i.status}"
    said = list(f.feedback.values())
    counts = ", ".join(f"{said.count(s)} {s}" for s in sorted(set(said)))
    yield "feedback", "Feedback", counts or None


def _mvp(f: Facts) -> Iterator[Entry]:
    for kind, doc in f.documents.items():
        version = f"version {doc.version} by {doc.author}, {doc.link}"
        yield f"document:{kind}", f"Document: {kind.replace('_', ' ')}", version
    if f.monitoring:
        metrics = ", ".join(f"{m.name} at {_n(m.threshold)}" for m in f.monitoring.metrics)
        yield "monitoring", "Monitoring", f"{metrics}; owner {f.monitoring.owner}"
    if f.checklist:
        done = sum(i.done for i in f.checklist)
        yield "checklist", "Release checklist", f"{done} of {len(f.checklist)} items done"
    for cid, c in f.conditions.items():
        yield f"condition:{cid}", f"Condition {_q(c.text)}", "fulfilled" if c.fulfilled else "open"


def inventory(facts: Facts) -> dict[str, Item]:
    """Every piece of evidence the facts hold, by a key that stays the same when it changes."""
    parts = (_idea(facts), _poc(facts), _kpis(facts), _pilot(facts), _mvp(facts))
    found = {}
    for key, label, text, *count in (entry for part in parts for entry in part):
        if text:
            # interned: every decision's replay keeps an inventory, mostly the same words
            shown = sys.intern(label[0].upper() + label[1:])
            found[key] = Item(label=shown, text=sys.intern(text), count=sum(count))
    return found


def changes(
    gate: Gate,
    since: datetime,
    until: datetime | None,
    then: tuple[dict[str, Item], Readiness],
    now: tuple[dict[str, Item], Readiness],
) -> Changes:
    """What changed from the evidence and readiness `then` (the recycle) to `now`."""
    (before, was), (after, ready) = then, now
    met_now = {c.id for c in ready.criteria if c.met}
    unmet_then = [c for c in was.criteria if not c.met]
    still = {c.id for c in unmet_then if c.id not in met_now}
    return Changes(
        gate=gate,
        since=since,
        until=until,
        added=_added(before, after),
        superseded=_superseded(before, after),
        still_missing=tuple(c for c in ready.criteria if c.id in still),
        now_met=tuple(c.description for c in unmet_then if c.id in met_now),
    )


def _added(before: dict[str, Item], after: dict[str, Item]) -> tuple[Item, ...]:
    """New items, and what a series grew by: "3 more measurements of “Resolution rate”"."""
    added = []
    for key, item in after.items():
        was = before.get(key)
        if was is None:
            added.append(item)
        elif item.count > was.count:
            more = f"{item.count - was.count} more {item.label[0].lower()}{item.label[1:]}"
            added.append(Item(label=more, text=item.text, count=item.count))
    return tuple(added)


def _superseded(before: dict[str, Item], after: dict[str, Item]) -> tuple[Change, ...]:
    changed = [
        Change(label=item.label, before=before[key].text, after=item.text)
        for key, item in after.items()
        if key in before and before[key].text != item.text and item.count <= before[key].count
    ]
    gone = [
        Change(label=item.label, before=item.text, after="no longer on file")
        for key, item in before.items()
        if key not in after
    ]
    return (*changed, *gone)
