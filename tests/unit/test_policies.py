"""Policies: a passing gate decision opens the next stage; nothing else does."""

from __future__ import annotations

from types import ModuleType

import pytest

from events import gates, ideation, mvp, pilot, poc
from events.base import SYSTEM
from services.mvp import policy as mvp_policy
from services.pilot import policy as pilot_policy
from services.poc import policy as poc_policy
from tests.unit.histories import AT, CONDITION, ID, decided, handoff, proposed

CASES = [
    (poc_policy, ideation.GATE, poc.OpenPoc),
    (pilot_policy, poc.GATE, pilot.OpenPilot),
    (mvp_policy, pilot.GATE, mvp.OpenMvp),
]


def with_handoff(kit: gates.GateEvents, decision: gates.Decision) -> gates.GateDecided:
    event = decided(kit, decision, *((CONDITION,) if decision == "conditional_go" else ()))[0]
    assert isinstance(event, gates.GateDecided)
    conditions = event.conditions
    return kit.decided(
        **{f: getattr(event, f) for f in event.__struct_fields__ if f != "handoff"},
        handoff=handoff(*conditions),
    )


@pytest.mark.parametrize(("policy", "kit", "command"), CASES)
@pytest.mark.parametrize("decision", ["go", "conditional_go"])
def test_a_passing_decision_opens_the_next_stage(
    policy: ModuleType, kit: gates.GateEvents, command: type[gates.OpenStage], decision: str
) -> None:
    event = with_handoff(kit, decision)  # type: ignore[arg-type]
    assert policy.react(event) == [
        command(initiative_id=ID, at=AT, actor=SYSTEM, handoff=event.handoff)  # type: ignore[arg-type]
    ]


@pytest.mark.parametrize(("policy", "kit", "command"), CASES)
@pytest.mark.parametrize("decision", ["hold", "recycle", "kill"])
def test_other_decisions_open_nothing(
    policy: ModuleType, kit: gates.GateEvents, command: type[gates.OpenStage], decision: str
) -> None:
    assert policy.react(decided(kit, decision)[0]) == []  # type: ignore[arg-type]


def test_a_go_of_another_stage_opens_nothing() -> None:
    assert poc_policy.react(with_handoff(pilot.GATE, "go")) == []


def test_stage_work_events_open_nothing() -> None:
    assert poc_policy.react(proposed()[0]) == []
