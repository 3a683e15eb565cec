"""What one initiative contributes to the portfolio figures, as typed columns of its row.

The figures (portfolio.py) read each row's gate outcomes, stage visits, stage clock and
business case. Decoding those from every row's document is what made them cost 200 ms at
10,000 initiatives; these columns, written with the row in the same transaction (live and
rebuild alike), let PostgreSQL aggregate them instead (figures_model.py). Only what does
not move with the clock is stored: the invested cost is priced when read.
"""

from __future__ import annotations

from datetime import datetime

from services.projection.views import value
from services.projection.views.business_case import CaseRow
from services.projection.views.initiative import Initiative
from services.projection.views.stages import passing
from services.projection.views.summary import Summary

COLUMNS = (
    "sponsor",
    "gates_passed",  # gates with a go or conditional go (portfolio.conversion)
    "gates_decided",  # ... or a kill
    "visit_stages",  # the stage visits, in stage order; `visit_left` is NULL while open
    "visit_entered",
    "visit_left",
    "case_currency",  # NULL: no business case
    "case_confidence",
    "case_expected",
    "case_one_off",
    "case_running",
    "case_realised",  # unrounded: value.realised, which the KPI series moves, not the clock
    "poc_from",
    "pilot_from",
    "stopped_at",
)
Case = tuple[str | None, str | None, float | None, float | None, float | None, float | None]
Contribution = tuple[
    str,
    list[str],
    list[str],
    list[str],
    list[datetime],
    list[datetime | None],
    str | None,
    str | None,
    float | None,
    float | None,
    float | None,
    float | None,
    datetime | None,
    datetime | None,
    datetime | None,
]


def contribution(row: Initiative, s: Summary) -> Contribution:
    """`s`: the row's summary as stored in its `summary` column."""
    passed, killed = set(), set()
    for r in row.gates.reviews:
        if r.decision is not None and passing(r.decision.decision):
            passed.add(r.gate)
        elif r.decision is not None and r.decision.decision == "kill":
            killed.add(r.gate)
    visits = row.visits.visits
    spending = row.business_case.spending
    return (
        s.sponsor,
        sorted(passed),
        sorted(passed | killed),
        [x.stage for x in visits],
        [x.entered_at for x in visits],
        [x.left_at for x in visits],
        *_case(row.business_case),
        spending.poc_from,
        spending.pilot_from,
        spending.stopped_at,
    )


def _case(v: CaseRow) -> Case:
    case = v.latest
    if case is None:
        return None, None, None, None, None, None
    return (
        case.currency,
        case.confidence,
        case.expected_annual_value,
        case.one_off_cost,
        case.running_cost_per_year,
        value.realised(case, v.accrual),
    )
