"""Readiness for the next gate: the stage services' own fold (events.facts) and criteria.

The view keeps the folded Facts; `readiness` evaluates them with the criteria version
in force, so the readiness shown is the readiness the deciders enforce.
"""

from __future__ import annotations

from typing import cast, get_args

from events.base import Event, Stage
from events.catalog import AnyEvent
from events.criteria import CURRENT_VERSION, GATE_OF_STAGE, Readiness, evaluate
from events.facts import Facts, apply

# isinstance against the union walks its fifty-odd classes (8 % of a rebuild's fold)
LIFECYCLE = frozenset(get_args(AnyEvent))


def project(facts: Facts, event: Event) -> Facts:
    if type(event) in LIFECYCLE or isinstance(event, AnyEvent):
        return apply(facts, cast("AnyEvent", event))
    return facts


def readiness(stage: Stage, facts: Facts, version: str = CURRENT_VERSION) -> Readiness | None:
    """None once past the last gate (production)."""
    gate = GATE_OF_STAGE.get(stage)
    return evaluate(gate, facts, version) if gate else None
