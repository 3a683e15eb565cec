"""Handing an initiative's ownership over, shared by every stage decider.

Rules:
- the stage that holds the initiative now records the handover: on hold and after launch
  too, but not before the stage opened, once it moved on, or after a kill;
- the current owner (by account), the committee or an admin hands ownership over; a
  team member does not, and agents never do: accountability stays with people;
- handing it to the current owner again is a no-op;
- the previous owner keeps no rights of ownership (unless they are on the team).
"""

from __future__ import annotations

from events.base import Actor, Event
from events.errors import Forbidden
from events.gates import GateEvents
from events.people import HandOverOwnership, label
from services.stage import StageState, guard_held


def hand_over(kit: GateEvents, c: HandOverOwnership, s: StageState) -> list[Event]:
    guard_held(kit, s, "the initiative was killed; its ownership no longer changes")
    _guard_entitled(s, c.actor)
    facts = s.facts
    if c.owner_account == facts.owner_account and (c.owner_account or c.owner == facts.owner):
        return []
    return [
        kit.handed_over(
            initiative_id=c.initiative_id,
            at=c.at,
            owner=c.owner,
            owner_account=c.owner_account,
            previous_owner=facts.owner or "unknown",
            previous_owner_account=facts.owner_account,
            handed_over_by=c.actor.id,
            reason=c.reason,
        )
    ]


def _guard_entitled(s: StageState, actor: Actor) -> None:
    if actor.kind == "agent":
        raise Forbidden(f"{actor.id} is an AI agent: agents never hand ownership over")
    if actor.has_role("committee"):
        return
    owner = label(s.facts.owner or "nobody", s.facts.owner_account)
    if actor.id != s.facts.owner_account or not actor.has_role("owner", "contributor"):
        raise Forbidden(
            f"only the initiative's owner ({owner}), the committee or an admin hands its"
            f" ownership over; {actor.id} is not its owner"
        )
