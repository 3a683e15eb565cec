"""The demo's radar: every command accepted by the real decider, a dozen trends over all
quadrants and rings, linked to demo initiatives, and last quarter's radar differs from now."""

from __future__ import annotations

from datetime import UTC, datetime

from events import trends
from launch.demo_portfolio import profiles
from launch.demo_trends import commands, quarter_end
from services.projection.views.trend import Trend, project
from services.trends import decider

NOW = datetime(2026, 11, 28, 9, 0, tzinfo=UTC)


def radar(at: datetime) -> dict[str, Trend]:
    """Decide every command in order (any refusal fails), fold the events up to `at`."""
    states: dict[str, decider.State] = {}
    shown: dict[str, Trend] = {}
    for tid, command in commands(NOW):
        state = states.get(tid, decider.initial_state)
        for event in decider.decide(command, state):
            assert isinstance(event, trends.TrendFact)
            state = decider.evolve(state, event)  # type: ignore[arg-type]
            if event.at <= at:
                folded = project(shown.get(tid), event)  # type: ignore[arg-type]
                shown.update({tid: folded} if folded else {})
        states[tid] = state
    return shown


def test_a_dozen_trends_cover_every_quadrant_and_ring_and_link_demo_initiatives() -> None:
    now = radar(NOW)
    assert len(now) >= 12
    assert {t.quadrant for t in now.values()} == set(trends.QUADRANTS)
    assert {t.ring for t in now.values()} == set(trends.RINGS)
    demo = {p.initiative_id for p in profiles()}
    linked = {i for t in now.values() for i in t.initiatives}
    assert linked and linked <= demo


def test_last_quarter_shows_another_radar() -> None:
    now, then = radar(NOW), radar(quarter_end(NOW.date()))
    assert set(then) < set(now)  # some trends came this quarter
    moved = {tid for tid in then if then[tid].ring != now[tid].ring}
    assert len(moved) >= 3
    assert all(t.added_at <= NOW for t in now.values())
