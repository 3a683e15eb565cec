"""A snapshot is the folded state written down: resuming from it at any version and folding
the rest gives exactly the state of the full fold, for every stage's decider."""

from __future__ import annotations

from functools import reduce
from types import ModuleType

import msgspec
import pytest

from events import ideation, mvp, pilot, poc
from events.base import Event
from services.folded import state_key
from services.ideation import decider as ideation_decider
from services.mvp import decider as mvp_decider
from services.pilot import decider as pilot_decider
from services.poc import decider as poc_decider
from services.stage import StageState
from tests.unit import histories as h

CONDITION = h.CONDITION
HISTORIES: list[tuple[ModuleType, list[Event]]] = [
    (ideation_decider, [*h.ready_for_g1(), *h.review(ideation.GATE)]),
    (poc_decider, [*h.ready_for_g2(CONDITION), *h.review(poc.GATE)]),
    (pilot_decider, [*h.ready_for_g3(CONDITION), *h.review(pilot.GATE)]),
    (mvp_decider, [*h.ready_for_g4(CONDITION), *h.review(mvp.GATE),
                   *h.decided(mvp.GATE, "go")]),
]  # fmt: skip
STATES = msgspec.json.Decoder(StageState)


def fold(decider: ModuleType, state: StageState, events: list[Event]) -> StageState:
    stored = [decider.EVENTS.decode(msgspec.json.encode(e)) for e in events]  # as read back
    return reduce(decider.evolve, stored, state)


@pytest.mark.parametrize(("decider", "history"), HISTORIES, ids=lambda x: getattr(x, "KIT", ""))
def test_resuming_from_a_snapshot_at_any_version_equals_the_full_fold(decider, history):
    full = fold(decider, decider.initial_state, history)
    assert full != decider.initial_state
    for k in range(len(history) + 1):
        snapshot = msgspec.json.encode(fold(decider, decider.initial_state, history[:k]))
        resumed = fold(decider, STATES.decode(snapshot), history[k:])
        assert resumed == full, f"resuming at version {k} differs"


def test_the_snapshot_key_names_the_state_shape():
    class Other(msgspec.Struct):
        status: str = "active"

    assert state_key(StageState()) == state_key(StageState())
    assert state_key(StageState()) != state_key(Other())
