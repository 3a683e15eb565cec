"""Handover commands and events for the ownership tests of every stage."""

from __future__ import annotations

from events import gates, people
from events.base import Actor
from tests.unit.histories import AT, ID, OWNER

OTTO = people.Person(name="otto", account="otto")


def hand_over(actor: Actor = OWNER, to: people.Person = OTTO) -> people.HandOverOwnership:
    return people.HandOverOwnership(
        initiative_id=ID, at=AT, actor=actor, owner=to.name, owner_account=to.account
    )


def handed_over(
    kit: gates.GateEvents, by: Actor = OWNER, to: people.Person = OTTO
) -> people.OwnershipHandedOver:
    return kit.handed_over(
        initiative_id=ID,
        at=AT,
        owner=to.name,
        owner_account=to.account,
        previous_owner="Olga",
        previous_owner_account="olga",
        handed_over_by=by.id,
    )
