"""Realised value, invested cost and payback from a KPI's measurement series (views/value.py),
and the same figures folded onto an initiative's row, event by event, in any order."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from msgspec.structs import replace

from events import ideation, mvp, pilot, poc
from events.business_case import BusinessCase
from events.kpis import KpiDefinition, Measurement
from services.projection.value_figures import case_figures, portfolio_value
from services.projection.views import value
from services.projection.views.initiative import Initiative, initial, project
from services.projection.views.value import YEAR, Spending
from tests.unit.projection.given import I, handoff, proposed

T0 = datetime(2025, 1, 1, tzinfo=UTC)
ACCURACY = KpiDefinition(kpi_id="k1", name="Accuracy", unit="%", baseline=10, target=30)
ENERGY = KpiDefinition(
    kpi_id="k1", name="Energy use", unit="MWh", baseline=120, target=100, direction="lower"
)
CASE = BusinessCase(expected_annual_value=50_000, one_off_cost=20_000, running_cost_per_year=2_000,
                    kpi_id="k1", value_per_unit=1_000)  # fmt: skip


def at(years: float) -> datetime:
    return T0 + timedelta(seconds=years * YEAR)


def series(*points: tuple[float, float]) -> list[Measurement]:
    return [
        Measurement(measurement_id=f"m{n}", kpi_id="k1", value=v, at=at(y))
        for n, (y, v) in enumerate(points)
    ]


def realised(kpi: KpiDefinition, *points: tuple[float, float]) -> float:
    return round(value.realised(CASE, value.accrued(kpi, series(*points))), 6)


def test_each_interval_earns_at_the_earlier_measurements_improvement() -> None:
    # 10 over baseline for half a year, then 20 over for half a year: 15 unit-years
    assert realised(ACCURACY, (0, 20), (0.5, 30), (1, 30)) == 15_000


def test_a_lower_is_better_kpi_improves_downwards() -> None:
    # 120 -> 110 is 10 better for a quarter, 100 is 20 better for a quarter: 7.5 unit-years
    assert realised(ENERGY, (0, 110), (0.25, 100), (0.5, 100)) == 7_500


def test_measurements_in_any_order_give_the_same_value() -> None:
    assert realised(ENERGY, (0.5, 100), (0, 110), (0.25, 100)) == 7_500


def test_no_measurement_or_only_one_realises_nothing() -> None:
    assert realised(ACCURACY) == 0
    assert realised(ACCURACY, (0, 25)) == 0  # nothing is extrapolated past the last one


def test_a_kpi_worse_than_its_baseline_realises_a_negative_value() -> None:
    assert realised(ENERGY, (0, 130), (0.5, 130)) == -5_000  # 10 worse for half a year


def test_the_one_off_cost_counts_once_the_poc_opened_and_running_cost_from_the_pilot() -> None:
    spent = Spending(poc_from=at(0), pilot_from=at(0.5))
    assert value.invested(CASE, Spending(), at(1)) == 0
    assert value.invested(CASE, spent, at(0.25)) == 20_000
    assert value.invested(CASE, spent, at(1.5)) == pytest.approx(22_000)
    assert value.planned(CASE, spent, at(1)) == 2_000  # the next year's running cost
    assert value.planned(CASE, Spending(), at(1)) == 22_000


def test_a_kill_stops_the_running_cost() -> None:
    killed = Spending(poc_from=at(0), pilot_from=at(0), stopped_at=at(0.5))
    assert value.invested(CASE, killed, at(3)) == pytest.approx(21_000)
    assert value.planned(CASE, killed, at(3)) == 0
    idea_killed = Spending(stopped_at=at(0.5))  # before the PoC: its one-off is never spent
    assert value.planned(CASE, idea_killed, at(1)) == 0
    assert value.planned(CASE, idea_killed, at(0.25)) == 22_000  # as it stood before the kill


def test_payback_is_the_first_measurement_where_value_covers_the_cost_so_far() -> None:
    spent = Spending(poc_from=at(0), pilot_from=at(0))
    points = series((0, 40), (0.5, 40), (1, 40), (1.5, 40))  # 30 over: 15,000 a half year
    # at 0.5: 15,000 < 21,000; at 1: 30,000 >= 22,000
    assert value.payback_at(CASE, ACCURACY, points, spent) == at(1)


def test_no_payback_while_the_kpi_is_below_baseline() -> None:
    spent = Spending(poc_from=at(0))
    assert value.payback_at(CASE, ENERGY, series((0, 130), (1, 130)), spent) is None


def test_the_expected_payback_in_months_comes_from_the_expected_net_value() -> None:
    assert value.expected_payback_months(CASE) == 5.0  # 20,000 / (48,000 / 12)
    no_net = replace(CASE, running_cost_per_year=50_000)
    assert value.expected_payback_months(no_net) is None


def fold(*events: object) -> Initiative:
    row = initial(I)
    for e in events:
        row = project(row, e)  # type: ignore[arg-type]
    return row


def pilot_history(kpi: KpiDefinition, *points: tuple[float, float]) -> list[object]:
    early = replace(CASE, kpi_id=None, value_per_unit=0)
    measured = [
        pilot.KpiMeasured(initiative_id=I, at=at(y), kpi_id="k1", measurement_id=f"m{y}", value=v)
        for y, v in points
    ]
    return [
        proposed(sponsor="cfo"),
        ideation.BusinessCaseRefined(initiative_id=I, at=at(0), case=early, refined_by="ana"),
        poc.PocOpened(initiative_id=I, at=at(0), handoff=handoff()),
        pilot.PilotOpened(initiative_id=I, at=at(0.25), handoff=handoff()),
        pilot.KpiDefined(initiative_id=I, at=at(0.25), kpi=kpi),
        pilot.BusinessCaseRefined(initiative_id=I, at=at(0.25), case=CASE, refined_by="ana"),
        *measured,
    ]


def test_the_row_keeps_the_history_by_stage_and_accrues_the_case_kpi() -> None:
    row = fold(*pilot_history(ENERGY, (0.5, 110), (1, 100), (0.75, 90)))  # one out of order
    figures = case_figures(row, at(1.25))
    assert figures is not None
    assert [v.stage for v in figures.history] == ["ideation", "pilot"]
    assert figures.realised_value == pytest.approx(10_000)  # 10 x 0.25, then 30 x 0.25
    assert figures.invested_cost == pytest.approx(22_000)  # one-off + one year running
    assert figures.payback_at is None and figures.expected_payback_months == 5.0
    assert (figures.kpi_name, figures.measurements, figures.below_baseline) == (
        "Energy use",
        3,
        False,
    )


def test_a_stopped_initiative_expects_no_payback() -> None:
    kill = pilot.GateDecided(
        initiative_id=I, at=at(0.5), gate="G3", decision="kill", rationale="no value",
        decided_by=("v-1",), criteria_version="2025.1", quorum=1,
    )  # fmt: skip
    row = fold(*pilot_history(ENERGY), kill)
    before = case_figures(row, at(0.4))
    assert before is not None and before.expected_payback_months == 5.0
    assert before.stopped_at is None
    after = case_figures(row, at(1))
    assert after is not None and after.stopped_at == at(0.5)
    assert after.expected_payback_months is None and after.planned_cost == 0


def test_a_row_below_baseline_says_so() -> None:
    figures = case_figures(fold(*pilot_history(ENERGY, (0.5, 130), (1, 130))), at(1))
    assert figures is not None and figures.below_baseline and figures.realised_value < 0


def test_the_portfolio_sums_per_stage_and_sponsor() -> None:
    one = fold(*pilot_history(ACCURACY, (0.5, 20), (1, 20)))
    other = replace(one, initiative_id="i-2", summary=replace(one.summary, sponsor="coo"))
    idea = fold(proposed())  # no case: not counted
    p = portfolio_value([one, other, idea], at(1), ("ideation", "poc", "pilot"))
    [stage] = p.per_stage
    assert (stage.key, stage.cases, stage.expected_annual_value) == ("pilot", 2, 100_000)
    assert stage.realised_value == pytest.approx(10_000)  # 10 over for half a year, twice
    assert [(g.key, g.cases) for g in p.per_sponsor] == [("cfo", 1), ("coo", 1)]
    assert len(p.points) == 2 and p.points[0].effort == pytest.approx(23_500)


def test_a_refinement_after_launch_is_production_s() -> None:
    launched = mvp.GateDecided(
        initiative_id=I, at=at(1), gate="G4", decision="go", rationale="ready",
        decided_by=("cara",), criteria_version="2025.1", quorum=1, handoff=handoff(),
    )  # fmt: skip
    later = mvp.BusinessCaseRefined(initiative_id=I, at=at(1.5), case=CASE, refined_by="ana")
    row = fold(*pilot_history(ACCURACY), launched, later)
    assert [v.stage for v in row.business_case.history] == ["ideation", "pilot", "production"]
