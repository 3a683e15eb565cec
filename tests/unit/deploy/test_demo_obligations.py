"""The demo's EU AI Act story is accepted by the real pilot decider: a high-risk pilot with
met, in-progress and open obligations and two serious incidents, one report overdue."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from functools import reduce

from events import pilot
from events.base import Event
from events.gates import Handoff
from events.obligations import duties, overdue
from launch.demo_obligations import PILOT, commands
from services.pilot import decider

NOW = datetime(2026, 11, 28, 9, 0, tzinfo=UTC)


def test_the_demo_pilot_shows_open_met_and_overdue_obligations() -> None:
    handoff = Handoff(title="HR candidate screening", owner="Lea Wagner", sponsor="CHRO",
                      risk_class="high")  # fmt: skip
    opened = pilot.PilotOpened(initiative_id=PILOT, at=NOW - timedelta(days=30), handoff=handoff)
    state = decider.evolve(decider.initial_state, opened)
    for command in commands(NOW):
        events: list[Event] = decider.decide(command, state)  # type: ignore[arg-type]
        assert events, command
        state = reduce(decider.evolve, events, state)  # type: ignore[arg-type]
    found = {d.id: d for d in duties(state.facts)}
    statuses = {d.status for d in found.values()}
    assert statuses == {"open", "in_progress", "met"}
    late = found["serious_incident.demo-serious-1"]
    assert late.deadline == NOW - timedelta(days=1) and overdue(late, NOW)
    assert late.serious == "fundamental_rights"  # ranked down for a medical note: Art. 3(49)(c)
    soon = found["serious_incident.demo-serious-2"]
    assert soon.deadline == NOW + timedelta(days=12) and not overdue(soon, NOW)
    again = [decider.decide(c, state) for c in commands(NOW)]  # type: ignore[arg-type]
    assert again == [[]] * len(again)  # a second run changes nothing
