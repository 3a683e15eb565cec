"""The demo portfolio varies priority, readiness and time in stage, so that the board's
sorting and the committee's ranking show something."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime, timedelta

from msgspec.structs import replace

from events import gates, ideation
from launch.demo import planned
from launch.demo_portfolio import profiles
from services.journeys import OPEN_WORK, Clock, journey

NOW = datetime(2026, 6, 1, tzinfo=UTC)


def test_priorities_differ_from_one_initiative_to_the_next():
    found = {ideation.priority(*p.scores) for p in profiles()}
    assert len(found) >= 6 and min(found) < 3 < max(found)


def test_initiatives_in_the_same_open_stage_have_done_different_amounts_of_its_work():
    steps = defaultdict(set)
    for index, p in enumerate(profiles()):
        if p.outcome in OPEN_WORK:
            steps[p.outcome].add(len(planned(p, index, NOW)))
    assert all(len(counts) >= 2 for outcome, counts in steps.items() if outcome != "held")


def entered_stage(commands: list[tuple[str, object]]) -> datetime:
    passing = [
        c.at
        for _, c in commands  # type: ignore[attr-defined]
        if isinstance(c, gates.DecideGate) and c.decision in ("go", "conditional_go")
    ]
    return passing[-1] if passing else commands[0][1].at  # type: ignore[attr-defined]


def test_some_live_initiatives_are_stale_and_some_fresh():
    live = ("ideation", "poc", "pilot", "mvp", "conditional", "held", "in_review")
    days = [
        (NOW - entered_stage(planned(p, i, NOW))).days
        for i, p in enumerate(profiles())
        if p.outcome in live
    ]
    assert min(days) < 30 < max(days)
    assert len(set(days)) >= len(days) - 2


def test_work_left_undone_is_only_the_open_stage_s_own_work():
    for p in profiles():
        done = journey(p, Clock(NOW, timedelta(hours=1)))
        whole = journey(replace(p, unfinished=0), Clock(NOW, timedelta(hours=1)))
        undone = whole[len(done) :]
        assert len(undone) == min(p.unfinished, OPEN_WORK.get(p.outcome, 0)), p.title
        assert done == whole[: len(done)]
        gate_work = (gates.RequestGateReview, gates.DecideGate, gates.FulfilCondition)
        assert not [c for _, c in undone if isinstance(c, (ideation.ProposeIdea, *gate_work))]
