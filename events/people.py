"""People named on an initiative, and handing its ownership over.

An initiative's owner and team members are accounts (users, by their user name: the id
every event records for an actor) or, for people without an account, free-text names.
The API resolves a given name to its account; the deciders check the accounts.

Each stage subclasses OwnershipHandedOver with its own tag: the handover is recorded in
whichever stage holds the initiative now, and the gate's handoff carries it on.
"""

from __future__ import annotations

from typing import Annotated

import msgspec

from events.base import STORABLE, Command, Event, Frozen, Id, Text

Note = Annotated[str, msgspec.Meta(max_length=200, pattern=STORABLE)]  # may be empty


class Person(Frozen, frozen=True, kw_only=True):
    """Someone named on an initiative: `account` is their user name, None for a free-text
    name (a person without an account)."""

    name: Text
    account: Id | None = None


Team = Annotated[tuple[Person, ...], msgspec.Meta(max_length=50)]


def free_text(names: tuple[str, ...]) -> tuple[Person, ...]:
    """Names recorded before owners were accounts, or given without one."""
    return tuple(Person(name=n) for n in names)


def label(name: str, account: str | None) -> str:
    """How a message names someone: the account, or the name marked as having none."""
    return account if account else f"{name} (no account)"


class OwnershipHandedOver(Event, frozen=True, kw_only=True):
    """The initiative has a new owner; the previous one keeps no rights of ownership."""

    owner: Text
    owner_account: Id | None = None
    previous_owner: Text
    previous_owner_account: Id | None = None
    handed_over_by: Id
    reason: Note = ""


class HandOverOwnership(Command, tag="hand-over-ownership", frozen=True, kw_only=True):
    """Make `owner` (an account, or a free-text name when owner_account is None) the owner;
    by the current owner, the committee or an admin."""

    owner: Text
    owner_account: Id | None = None
    reason: Note = ""
