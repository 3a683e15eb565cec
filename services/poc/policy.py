"""PoC policy: ideation's G1 go (or conditional_go) opens the PoC for that initiative."""

from __future__ import annotations

from events import ideation
from events.base import SYSTEM, Command, Event
from events.poc import OpenPoc


def react(event: Event) -> list[Command]:
    """One OpenPoc per passing G1 decision; the decider makes a redelivered one a no-op."""
    match event:
        case ideation.GateDecided(decision="go" | "conditional_go", handoff=handoff) if handoff:
            return [
                OpenPoc(
                    initiative_id=event.initiative_id, at=event.at, actor=SYSTEM, handoff=handoff
                )
            ]
        case _:
            return []
