"""Pilot policy: the PoC's G2 go (or conditional_go) opens the pilot for that initiative."""

from __future__ import annotations

from events import poc
from events.base import SYSTEM, Command, Event
from events.pilot import OpenPilot


def react(event: Event) -> list[Command]:
    """One OpenPilot per passing G2 decision; the decider makes a redelivered one a no-op."""
    match event:
        case poc.GateDecided(decision="go" | "conditional_go", handoff=handoff) if handoff:
            return [
                OpenPilot(
                    initiative_id=event.initiative_id, at=event.at, actor=SYSTEM, handoff=handoff
                )
            ]
        case _:
            return []
