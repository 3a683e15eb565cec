"""MVP policy: the pilot's G3 go (or conditional_go) opens the MVP for that initiative."""

from __future__ import annotations

from events import pilot
from events.base import SYSTEM, Command, Event
from events.mvp import OpenMvp


def react(event: Event) -> list[Command]:
    """One OpenMvp per passing G3 decision; the decider makes a redelivered one a no-op."""
    match event:
        case pilot.GateDecided(decision="go" | "conditional_go", handoff=handoff) if handoff:
            return [
                OpenMvp(
                    initiative_id=event.initiative_id, at=event.at, actor=SYSTEM, handoff=handoff
                )
            ]
        case _:
            return []
