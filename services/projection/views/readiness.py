"""Readiness for the next gate: the stage services' own fold (events.facts) and criteria.

The view keeps the folded Facts; `readiness` evaluates them with the criteria version
in force, so the readiness shown is the readiness the deciders enforce.
"""

from __future__ import annotations

from events.base import Event, Stage
from events.catalog import AnyEvent
from events.criteria import CURRENT_VERSION, GATE_OF_STAGE, Readiness, evaluate
from events.facts import Facts, apply


def project(facts: Facts, event: Event) -> Facts:
    return apply(facts, event) if isinstance(event, AnyEvent) else facts


def readiness(stage: Stage, facts: Facts, version: str = CURRENT_VERSION) -> Readiness | None:
    """None once past the last gate (production)."""
    gate = GATE_OF_STAGE.get(stage)
    return evaluate(gate, facts, version) if gate else None
