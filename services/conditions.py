"""The conditions a gate decision sets: one per text, however many members named it.

Two members who name the same condition for a conditional go mean one condition: texts
are compared normalised (case, spacing and a closing full stop ignored), and the first
wording named is kept. (A condition of an earlier gate cannot still be open here: a
conditional go needs every earlier condition fulfilled.)
"""

from __future__ import annotations

from collections.abc import Iterable

from events.gates import Condition, GateVoteCast


def normalised(text: str) -> str:
    """The text as compared: "Sign the DPA. " and "sign  the dpa" are the same condition."""
    return " ".join(text.split()).rstrip(".;!").strip().casefold()


def merged(votes: Iterable[GateVoteCast]) -> tuple[Condition, ...]:
    """The votes' conditions in the order named, each text once (and each id once)."""
    found: dict[str, Condition] = {}
    ids: set[str] = set()
    for condition in (c for vote in votes for c in vote.conditions):
        key = normalised(condition.text)
        if key in found or condition.condition_id in ids:
            continue
        found[key] = condition
        ids.add(condition.condition_id)
    return tuple(found.values())
