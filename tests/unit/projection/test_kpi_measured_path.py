"""A KPI measurement, most of a rebuild's events, moves four of an initiative's eight views:
`initiative.project` calls only those. Over every outcome's lifecycle, the other four
must leave their documents untouched, so the short path folds what the long one would."""

from __future__ import annotations

from events.catalog import MEASURED
from events.kpis import KpiMeasured
from services.projection.views import dossier, gate_history, replay, visits
from services.projection.views.fold import decode
from services.projection.views.initiative import Initiative, initial, project
from tests.integration.test_projection_support import portfolio


def test_the_views_the_short_path_skips_ignore_every_measurement_of_every_outcome():
    rows: dict[str, Initiative] = {}
    measurements = 0
    assert {c.__name__ for c in MEASURED} == {KpiMeasured.__name__}, "every stage's"
    assert len(MEASURED) == 3
    for ce in portfolio(24, measurements=30):
        event = decode(ce)
        assert event is not None
        row = rows.get(ce.subject) or initial(ce.subject)
        if type(event) in MEASURED:
            measurements += 1
            assert gate_history.project(row.gates, event) is row.gates
            assert visits.project(row.visits, event) is row.visits
            assert replay.project(row.replays, row.facts, event) is row.replays
            assert dossier.project(row.dossier, event) is row.dossier
        rows[ce.subject] = project(row, event)
    assert measurements > 200
    launched = [r for r in rows.values() if r.summary.stage == "production"]
    assert launched and all(r.metrics.kpis and r.gates.reviews for r in launched)
