"""Views, given events / when one more arrives / then the document."""

from __future__ import annotations

from functools import reduce
from typing import Any

from events import ideation, mvp, poc
from events.criteria import evaluate
from events.facts import Facts, apply
from events.gates import Condition
from events.kpis import Measurement
from services.projection.views import gate_history, metrics, summary, visits
from services.projection.views.initiative import Initiative, initial, project, snapshot_due
from tests.unit.projection.given import (
    I,
    T,
    decided,
    handoff,
    ideation_work,
    kpi,
    measured,
    poc_opened,
    proposed,
    review,
    vote,
)


def fold(events: list[Any], row: Initiative | None = None) -> Initiative:
    return reduce(project, events, row or initial(I))


def test_a_proposed_idea_is_active_in_ideation_with_its_people():
    s = fold([proposed()]).summary
    assert (s.title, s.owner, s.sponsor, s.stage, s.status) == (
        "Invoice triage", "ana", "cfo", "ideation", "active",
    )  # fmt: skip
    assert s.entered_stage_at == T(0)


def test_scoring_and_risk_preclass_show_in_the_summary():
    s = fold([proposed(), *ideation_work()]).summary
    assert s.priority == 4.0
    assert s.risk_class == "limited"


def test_a_confirmed_risk_class_is_not_overwritten_by_a_later_preclass():
    confirmed = poc.RiskClassConfirmed(initiative_id=I, at=T(5), risk_class="high", rationale="x")
    pre = ideation.RiskPreclassified(initiative_id=I, at=T(6), risk_class="minimal", rationale="y")
    assert fold([proposed(), confirmed, pre]).summary.risk_class == "high"


def test_a_review_request_puts_the_initiative_in_review():
    assert fold([proposed(), review(2)]).summary.status == "in_review"


def test_a_go_moves_to_the_next_stage_at_the_decision_time():
    s = fold([proposed(), review(2), vote(3, "1"), decided(3)]).summary
    assert (s.stage, s.status, s.entered_stage_at) == ("poc", "active", T(3))
    assert s.last_decision is not None and s.last_decision.decision == "go"


def test_a_kill_is_final():
    s = fold([proposed(), review(2), decided(3, "kill"), review(4)]).summary
    assert (s.stage, s.status) == ("ideation", "killed")


def test_hold_then_resume_returns_to_active_in_the_same_stage():
    resumed = ideation.InitiativeResumed(initiative_id=I, at=T(5), resumed_by="ana")
    on_hold = fold([proposed(), review(2), decided(3, "hold")]).summary
    assert (on_hold.stage, on_hold.status) == ("ideation", "on_hold")
    assert fold([proposed(), review(2), decided(3, "hold"), resumed]).summary.status == "active"


def test_a_go_at_g4_launches_into_production():
    g4 = decided(40, "go", cls=__import__("events.mvp").mvp.GateDecided, gate="G4")
    s = fold([proposed(), g4]).summary
    assert (s.stage, s.status) == ("production", "launched")


def test_the_next_stage_opening_before_the_go_arrives_gives_the_same_summary():
    in_order = fold([proposed(), review(2), decided(3), poc_opened(3.5)])
    swapped = fold([proposed(), review(2), poc_opened(3.5), decided(3)])
    assert in_order.summary == swapped.summary
    assert in_order.visits == swapped.visits


def test_a_late_g1_review_does_not_pull_a_poc_back_into_review():
    assert fold([proposed(), poc_opened(4), review(2)]).summary.status == "active"


def test_every_view_is_unchanged_by_a_repeated_event():
    events = [proposed(), *ideation_work(), review(2), vote(3, "1"), decided(3), poc_opened(3)]
    once = fold(events)
    assert reduce(project, events[-4:], once) == once


def test_gate_history_records_request_votes_decision_and_criteria_version():
    h = fold([proposed(), review(2), vote(3, "1", "hold"), vote(3, "2"), decided(3)]).gates
    (r,) = h.reviews
    assert (r.gate, r.requested_by, r.criteria_version) == ("G1", "ana", "2025.1")
    assert [v.vote_id for v in r.votes] == ["1", "2"]
    assert r.decision is not None
    assert (r.decision.decision, r.decision.decided_by, r.decision.criteria_version) == (
        "go", ("v-1",), "2025.1",
    )  # fmt: skip


def test_the_same_vote_twice_is_recorded_once():
    h = fold([proposed(), review(2), vote(3, "1"), vote(3, "1")]).gates
    assert len(h.reviews[0].votes) == 1


def test_a_recycle_and_a_new_request_open_a_second_review():
    h = fold([proposed(), review(2), decided(3, "recycle"), review(4), decided(5)]).gates
    assert [r.decision.decision for r in h.reviews if r.decision] == ["recycle", "go"]


def test_conditions_are_flagged_fulfilled_whichever_arrives_first():
    c = (Condition(condition_id="c1", text="DPIA"),)
    go = decided(3, "conditional_go", conditions=c)
    done = poc.ConditionFulfilled(initiative_id=I, at=T(9), condition_id="c1", fulfilled_by="ana")
    for events in ([review(2), go, done], [review(2), done, go]):
        d = fold(events).gates.reviews[0].decision
        assert d is not None and d.conditions[0].fulfilled
        assert d.conditions[0].fulfilled_by == "ana"


def test_metrics_show_latest_trend_and_on_target():
    m = fold([kpi(), measured(21, 8, "m1"), measured(22, 12, "m2")]).metrics.kpis["k1"]
    assert (m.latest, m.trend, m.on_target, m.baseline, m.target) == (12, "improving", True, 5, 10)
    assert [p.value for p in m.series] == [8, 12]


def test_a_lower_is_better_kpi_reads_a_rise_as_worsening():
    k = kpi(direction="lower", target=3)
    m = fold([k, measured(21, 2, "m1"), measured(22, 4, "m2")]).metrics.kpis["k1"]
    assert (m.trend, m.on_target) == ("worsening", False)


def test_a_measurement_before_its_kpi_definition_counts_once_defined():
    m = fold([measured(21, 12, "m1"), kpi()]).metrics.kpis["k1"]
    assert (m.latest, m.on_target, m.defined) == (12, True, True)


def test_a_handoff_repeating_the_earlier_stages_points_shows_each_once():
    pilot_points = [kpi(), measured(21, 8, "m1"), measured(22, 12, "m2")]
    before = fold(pilot_points).metrics.kpis["k1"]
    points = tuple(
        Measurement(measurement_id=p.measurement_id, kpi_id="k1", value=p.value, at=p.at)
        for p in before.series
    )
    mvp_opened = mvp.MvpOpened(initiative_id=I, at=T(40), handoff=handoff(measurements=points))
    after = fold([*pilot_points, mvp_opened]).metrics.kpis["k1"]
    assert after.series == before.series


def test_a_backdated_measurement_is_not_the_latest():
    m = fold([kpi(), measured(22, 12, "m2"), measured(21, 1, "m1")]).metrics.kpis["k1"]
    assert m.latest == 12
    assert m.series[0].measurement_id == "m1"


def test_readiness_facts_equal_the_stage_services_fold():
    events = [proposed(), *ideation_work()]
    row = fold(events)
    facts = reduce(apply, events, Facts())  # type: ignore[arg-type]
    assert row.facts == facts
    assert evaluate("G1", row.facts).must_met


def test_visits_record_entering_and_leaving_each_stage():
    v = fold([proposed(), review(2), decided(3), poc_opened(3), decided(9, "kill", gate="G2",
              cls=poc.GateDecided)]).visits  # fmt: skip
    assert [(x.stage, x.entered_at, x.left_at, x.outcome) for x in v.visits] == [
        ("ideation", T(0), T(3), "go"), ("poc", T(3), T(9), "kill"),
    ]  # fmt: skip


def test_a_snapshot_is_due_after_every_hundredth_event_of_a_stream():
    due = [v for v in (0, 1, 99, 100, 101, 200, 250) if snapshot_due(v)]
    assert due == [100, 200]


def test_views_ignore_events_they_do_not_watch():
    s = summary.Summary(initiative_id=I)
    feedback = __import__("events.pilot").pilot.FeedbackRecorded(
        initiative_id=I, at=T(1), feedback_id="f", summary="ok"
    )
    assert summary.project(s, feedback).updated_at == T(1)
    assert gate_history.project(gate_history.GateHistory(), feedback) == gate_history.GateHistory()
    assert metrics.project(metrics.Metrics(), feedback) == metrics.Metrics()
    assert visits.project(visits.Visits(), feedback) == visits.Visits()


def test_gate_history_is_the_same_whichever_stage_stream_came_first():
    g1 = [review(2), vote(3, "1"), decided(3)]
    g2 = [review(9, poc.GateReviewRequested, "G2"), decided(10, cls=poc.GateDecided, gate="G2")]
    assert fold([proposed(), *g1, *g2]).gates == fold([proposed(), *g2, *g1]).gates


def test_a_breach_after_launch_puts_a_re_review_in_the_queue_until_decided():
    from events import mvp, production
    from services.projection.portfolio import review_item

    g4 = decided(40, "go", cls=mvp.GateDecided, gate="G4")
    asked = production.ReReviewRequested(initiative_id=I, at=T(50), kpi_id="k1", reason="late")
    row = fold([proposed(), g4, asked])
    item = review_item(row, T(52))
    assert item is not None and (item.kind, item.reason, item.waiting_days) == (
        "re_review",
        "late",
        2.0,
    )
    kept = production.ReReviewDecided(initiative_id=I, at=T(53), decision="continue",
                                      rationale="seasonal dip", decided_by="cara")  # fmt: skip
    row = fold([proposed(), g4, asked, kept])
    assert review_item(row, T(54)) is None and row.summary.status == "launched"


def test_retiring_a_launched_initiative_kills_it_with_the_reason():
    from events import mvp, production

    g4 = decided(40, "go", cls=mvp.GateDecided, gate="G4")
    asked = production.ReReviewRequested(initiative_id=I, at=T(50), kpi_id="k1", reason="late")
    retired = production.ReReviewDecided(initiative_id=I, at=T(51), decision="retire",
                                         rationale="no longer pays", decided_by="cara")  # fmt: skip
    s = fold([proposed(), g4, asked, retired]).summary
    assert (s.status, s.re_review) == ("killed", None)
    assert s.last_decision is not None and s.last_decision.rationale == "no longer pays"
