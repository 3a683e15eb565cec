"""Decision replay: at each gate decision, the readiness exactly as it stood then.

When a GateDecided is applied, the facts folded so far are the facts the committee
decided on; they are evaluated with the criteria version the decision recorded, and the
result is kept with the evidence inventory of that moment. Later evidence never changes
it, and a rebuild computes the same, since it applies the same events in the same order.
"""

from __future__ import annotations

from datetime import datetime

from msgspec.structs import replace

from events import gates
from events.base import Event, Frozen
from events.criteria import CRITERIA, CURRENT_VERSION, Readiness, evaluate
from events.facts import Facts
from events.gates import Decision, Gate
from services.projection.views.evidence import Item, inventory


class Replay(Frozen, frozen=True, kw_only=True):
    gate: Gate
    at: datetime  # the decision's business time: with the gate, it names the decision
    decision: Decision
    readiness: Readiness  # evaluated from the facts at that moment
    evidence: dict[str, Item] = {}  # the evidence on file then (views.evidence.inventory)


class Replays(Frozen, frozen=True, kw_only=True):
    decisions: tuple[Replay, ...] = ()  # in the order applied


def project(replays: Replays, facts: Facts, event: Event) -> Replays:
    """`facts`: the initiative's facts before `event` (a decision does not change them)."""
    if not isinstance(event, gates.GateDecided):
        return replays
    if found(replays, event.gate, event.at) is not None:
        return replays
    version = event.criteria_version if event.criteria_version in CRITERIA else CURRENT_VERSION
    replay = Replay(
        gate=event.gate,
        at=event.at,
        decision=event.decision,
        readiness=evaluate(event.gate, facts, version),
        evidence=inventory(facts),
    )
    return replace(replays, decisions=(*replays.decisions, replay))


def found(replays: Replays, gate: Gate, at: datetime) -> Replay | None:
    return next((r for r in replays.decisions if r.gate == gate and r.at == at), None)
