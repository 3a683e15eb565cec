"""The policy every later stage follows: the previous stage's passing gate opens it.

`opens(decided, open_stage)` is the whole policy of poc, pilot and mvp; the decider of the
opened stage makes a redelivered decision a no-op.
"""

from __future__ import annotations

from collections.abc import Callable

from events import gates
from events.base import SYSTEM, Command, Event

Policy = Callable[[Event], list[Command]]


def opens(decided: type[gates.GateDecided], open_stage: type[gates.OpenStage]) -> Policy:
    """One `open_stage` command per go or conditional_go that carries a handoff."""

    def react(event: Event) -> list[Command]:
        if not isinstance(event, decided) or event.decision not in gates.PASSING:
            return []
        if event.handoff is None:
            return []
        return [
            open_stage(
                initiative_id=event.initiative_id, at=event.at, actor=SYSTEM,
                handoff=event.handoff,
            )
        ]  # fmt: skip

    return react
