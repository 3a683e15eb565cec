"""The tally of an open review: each member's current vote counted once, what is still
needed for a decision, and whether the votes are split so that none can reach the quorum.

"go 1, hold 1: 2 agreeing votes needed". A split is a hint, not a verdict: a member may
change their vote (their later vote replaces the earlier one), or another member may vote.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence

from events.base import Frozen
from events.gates import Decision

ORDER: tuple[Decision, ...] = ("go", "conditional_go", "hold", "recycle", "kill")


class Tally(Frozen, frozen=True, kw_only=True):
    counts: dict[str, int]  # decision -> current votes for it, in ORDER
    quorum: int  # agreeing votes a decision takes
    leading: Decision | None  # the decision with most votes; None on no votes or a tie
    needed: int  # further agreeing votes the best-placed decision still needs
    split: bool  # votes for two or more decisions, none at the quorum: deadlocked for now
    text: str  # "go 1, hold 1: 2 agreeing votes needed"
    hint: str = ""  # what breaks a split


def tally(decisions: Iterable[Decision], quorum: int) -> Tally:
    """`decisions`: one current vote per member."""
    found = Counter(decisions)
    counts: dict[str, int] = {d: found[d] for d in ORDER if found[d]}
    best = max(counts.values(), default=0)
    tops = [d for d in ORDER if counts.get(d) == best]
    split = len(counts) > 1 and best < quorum
    return Tally(
        counts=counts,
        quorum=quorum,
        leading=tops[0] if len(tops) == 1 else None,
        needed=max(quorum - best, 0),
        split=split,
        text=_text(counts, quorum, tops, best),
        hint=_hint(counts, quorum) if split else "",
    )


def said(decision: str) -> str:
    return decision.replace("_", " ")


def _votes(n: int) -> str:
    return f"{n} agreeing vote{'s' if n != 1 else ''}"


def _text(counts: dict[str, int], quorum: int, tops: Sequence[str], best: int) -> str:
    if not counts:
        return f"No votes yet: {'one vote decides' if quorum == 1 else _votes(quorum) + ' needed'}"
    shown = ", ".join(f"{said(d)} {n}" for d, n in counts.items())
    text = f"{shown}: {_votes(quorum)} needed"
    if len(tops) == 1 and best < quorum:
        more = quorum - best
        votes = "one more vote" if more == 1 else f"{more} more votes"
        text += f" ({votes} for {said(tops[0])} decide{'s' * (more == 1)})"
    return text


def _hint(counts: dict[str, int], quorum: int) -> str:
    sides = " and ".join(said(d) for d in counts)
    return (
        f"Deadlocked for now: the votes are split between {sides}, and no decision has the "
        f"{_votes(quorum)} it needs. A member can change their vote (the later vote replaces "
        "the earlier one), or another member can vote."
    )
