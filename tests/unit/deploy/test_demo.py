"""The demo portfolio covers every stage and outcome, all in the past."""

from __future__ import annotations

from datetime import UTC, datetime

from launch.demo import planned
from launch.demo_portfolio import profiles


def test_the_demo_has_at_least_25_initiatives_over_every_outcome():
    outcomes = {p.outcome for p in profiles()}
    assert len(profiles()) >= 25
    assert {"ideation", "in_review", "poc", "pilot", "mvp", "launched", "killed_g1",
            "killed_g2", "recycled_g3", "held", "conditional", "breached"} <= outcomes  # fmt: skip
    assert any(p.risk == "high" for p in profiles())


def test_every_demo_step_happens_in_the_past_in_order():
    now = datetime.now(UTC)
    for index, p in enumerate(profiles()):
        times = [command.at for _, command in planned(p, index, now)]
        assert times == sorted(times), p.title
        assert times[-1] < now, f"{p.title} ends in the future"
