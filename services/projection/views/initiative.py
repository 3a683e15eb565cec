"""One initiative's row: every view's document, folded by the same event in one step.

A snapshot of the row is kept each time one of its stage streams reaches a multiple of
SNAPSHOT_EVERY events, so that time travel folds at most a few hundred events on top of
the nearest one instead of the whole history.
"""

from __future__ import annotations

from msgspec.structs import replace

from events.base import Event, Frozen
from events.catalog import MEASURED
from events.facts import Facts
from services.projection.views import (
    business_case,
    dossier,
    gate_history,
    metrics,
    readiness,
    replay,
    summary,
    visits,
)
from services.projection.views.dossier_records import Dossier

SNAPSHOT_EVERY = 100


class Initiative(Frozen, frozen=True, kw_only=True):
    initiative_id: str
    summary: summary.Summary
    gates: gate_history.GateHistory = gate_history.GateHistory()
    metrics: metrics.Metrics = metrics.Metrics()
    facts: Facts = Facts()
    visits: visits.Visits = visits.Visits()
    replays: replay.Replays = replay.Replays()  # the readiness at each gate decision
    dossier: Dossier = Dossier()  # rows stored before it decode empty
    business_case: business_case.CaseRow = business_case.CaseRow()  # and its history


def initial(initiative_id: str) -> Initiative:
    return Initiative(
        initiative_id=initiative_id, summary=summary.Summary(initiative_id=initiative_id)
    )


def project(row: Initiative, event: Event) -> Initiative:
    facts = readiness.project(row.facts, event)
    if type(event) in MEASURED:  # most events: the other four views ignore it
        return replace(
            row,
            summary=summary.project(row.summary, event),
            metrics=metrics.project(row.metrics, event),
            facts=facts,
            business_case=business_case.project(row.business_case, facts, event),
        )
    return replace(
        row,
        summary=summary.project(row.summary, event),
        gates=gate_history.project(row.gates, event),
        metrics=metrics.project(row.metrics, event),
        facts=facts,
        visits=visits.project(row.visits, event),
        replays=replay.project(row.replays, row.facts, event),
        dossier=dossier.project(row.dossier, event),
        business_case=business_case.project(row.business_case, facts, event),
    )


def snapshot_due(stream_version: int) -> bool:
    """After this event the row is kept as a snapshot (live and rebuild agree on when)."""
    return stream_version > 0 and stream_version % SNAPSHOT_EVERY == 0
