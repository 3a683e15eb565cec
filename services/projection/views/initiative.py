"""One initiative's row: every view's document, folded by the same event in one step.

`admit` decides, from the last stream version applied for the event's (stage,
initiative) stream, whether an event is the next one, a repeat, or early.
"""

from __future__ import annotations

from typing import Literal

import msgspec
from msgspec.structs import replace

from events.base import Event, type_parts
from events.facts import Facts
from services.projection.views import gate_history, metrics, readiness, summary, visits

Admission = Literal["apply", "repeat", "early"]


class Initiative(msgspec.Struct, frozen=True, kw_only=True):
    initiative_id: str
    summary: summary.Summary
    gates: gate_history.GateHistory = gate_history.GateHistory()
    metrics: metrics.Metrics = metrics.Metrics()
    facts: Facts = Facts()
    visits: visits.Visits = visits.Visits()


def initial(initiative_id: str) -> Initiative:
    return Initiative(
        initiative_id=initiative_id, summary=summary.Summary(initiative_id=initiative_id)
    )


def project(row: Initiative, event: Event) -> Initiative:
    return replace(
        row,
        summary=summary.project(row.summary, event),
        gates=gate_history.project(row.gates, event),
        metrics=metrics.project(row.metrics, event),
        facts=readiness.project(row.facts, event),
        visits=visits.project(row.visits, event),
    )


def store_stream(event_type: str) -> str:
    """The stage store whose stream numbers an event: production events live in the MVP's."""
    try:
        stage = type_parts(event_type)[0]
    except ValueError:
        return "unknown"
    return "mvp" if stage == "production" else stage


def admit(last: int, version: int) -> Admission:
    """Version 0 means the publisher gave no stream version: apply (the event id dedups)."""
    if version == 0 or version == last + 1:
        return "apply"
    return "repeat" if version <= last else "early"
