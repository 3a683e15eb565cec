"""The wire contract: every event and command survives JSON through its stage's decoders."""

from __future__ import annotations

import typing
from datetime import UTC, datetime
from types import ModuleType

import msgspec
import pytest

from events import catalog, gates, ideation, mvp, pilot, poc, production
from events.base import Event, event_tag, name_of, stage_of
from services.ideation import decider as ideation_decider
from services.mvp import decider as mvp_decider
from services.pilot import decider as pilot_decider
from services.poc import decider as poc_decider
from tests.unit.histories import (
    decided,
    ready_for_g1,
    ready_for_g2,
    ready_for_g3,
    ready_for_g4,
    review,
)

HISTORIES = [
    (ideation_decider, [*ready_for_g1(), *review(ideation.GATE), *decided(ideation.GATE, "go")]),
    (poc_decider, [*ready_for_g2(), *review(poc.GATE), *decided(poc.GATE, "hold")]),
    (pilot_decider, [*ready_for_g3(), *review(pilot.GATE), *decided(pilot.GATE, "recycle")]),
    (mvp_decider, [*ready_for_g4(), *review(mvp.GATE), *decided(mvp.GATE, "kill")]),
]


@pytest.mark.parametrize(("decider", "history"), HISTORIES)
def test_every_event_round_trips_through_its_stage_decoder(
    decider: ModuleType, history: list[Event]
) -> None:
    for event in history:
        raw = msgspec.json.encode(event)
        assert decider.EVENTS.decode(raw) == event
        assert catalog.EVENT_DECODER.decode(raw) == event


def test_event_types_name_their_stage_and_event() -> None:
    event = decided(poc.GATE, "go")[0]
    assert event_tag(event) == "io.tollgate.poc.gate_decided.v1"
    assert (stage_of(event), name_of(event)) == ("poc", "gate_decided")


def test_the_catalog_knows_every_event_type_once() -> None:
    assert "io.tollgate.production.kpi_breached.v1" in catalog.EVENT_TYPES
    assert catalog.EVENT_TYPES["io.tollgate.mvp.gate_decided.v1"] is mvp.GateDecided
    assert "io.tollgate.production.re_review_decided.v1" in catalog.EVENT_TYPES
    members = typing.get_args(catalog.AnyEvent)
    assert len(catalog.EVENT_TYPES) == len(members) == len(set(members))  # one class per type


def test_the_gate_commands_decode_in_every_stage() -> None:
    body = {
        "command": "decide-gate", "initiative_id": "i", "at": "2025-03-01T09:00:00Z",
        "actor": {"id": "cara", "roles": ["committee"]}, "vote_id": "v-1", "decision": "go",
        "rationale": "Ready",
    }  # fmt: skip
    raw = msgspec.json.encode(body)
    for decider in (ideation_decider, poc_decider, pilot_decider, mvp_decider):
        command = decider.COMMANDS.decode(raw)
        assert isinstance(command, gates.DecideGate)
        assert command.at == datetime(2025, 3, 1, 9, tzinfo=UTC)


def test_an_unknown_decision_is_rejected() -> None:
    body = b'{"command":"decide-gate","initiative_id":"i","at":"2025-03-01T09:00:00Z",'
    body += b'"actor":{"id":"c"},"vote_id":"v","decision":"maybe","rationale":"r"}'
    with pytest.raises(msgspec.ValidationError, match="decision"):
        poc_decider.COMMANDS.decode(body)


def test_production_events_decode_on_their_own() -> None:
    event = production.ReReviewRequested(
        initiative_id="i", at=datetime(2025, 3, 1, tzinfo=UTC), kpi_id="k", reason="off"
    )
    assert production.EVENT_DECODER.decode(msgspec.json.encode(event)) == event
