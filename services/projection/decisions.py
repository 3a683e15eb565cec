"""Past gate decisions, numbered in the order decided, and their replays (pure, from a row).

A replay joins the gate history's review (votes, earlier votes, rationale, conditions) with
the readiness recorded when the decision was applied (views.replay). For a recycle it also
says what changed since: up to the next decision at that gate, or until now.
"""

from __future__ import annotations

from datetime import datetime

import msgspec

from events.base import Stage
from events.criteria import GATE_OF_STAGE, Readiness, evaluate
from events.gates import Decision, Gate
from services.projection.views.evidence import Changes, changes, inventory
from services.projection.views.gate_history import ConditionView, Review, Vote
from services.projection.views.initiative import Initiative
from services.projection.views.replay import Replay, found

API_PATH = "/api/v1/initiatives/{initiative_id}/decisions/{n}"


class DecisionLink(msgspec.Struct, frozen=True, kw_only=True):
    n: int  # 1 for the first decision taken on the initiative
    gate: Gate
    decision: Decision
    at: datetime
    replay: str  # where its replay is: GET /api/v1/initiatives/{id}/decisions/{n}


class DecisionReplay(msgspec.Struct, frozen=True, kw_only=True):
    """A past decision as the committee took it: the checklist then, votes and rationale."""

    initiative_id: str
    title: str
    n: int
    decisions: int  # how many decisions the initiative has had
    gate: Gate
    stage: Stage
    decision: Decision
    at: datetime
    rationale: str
    decided_by: tuple[str, ...]
    quorum: int
    criteria_version: str
    requested_at: datetime | None
    requested_by: str | None
    votes: tuple[Vote, ...]  # each member's vote when it was decided
    earlier_votes: tuple[Vote, ...]  # votes a member's later vote replaced
    conditions: tuple[ConditionView, ...]  # set by it (a conditional go), fulfilled or open
    readiness: Readiness | None  # None: applied before replays were kept (rebuild to fill)
    since: Changes | None = None  # a recycle: what changed after it


def numbered(row: Initiative) -> list[Review]:
    """The reviews that were decided, in the order decided (decision n is item n - 1)."""
    decided = [(r.decision.at, r.gate, r) for r in row.gates.reviews if r.decision is not None]
    return [r for _, _, r in sorted(decided, key=lambda x: (x[0], x[1]))]


def links(row: Initiative) -> list[DecisionLink]:
    return [
        DecisionLink(
            n=n,
            gate=r.gate,
            decision=r.decision.decision,
            at=r.decision.at,
            replay=API_PATH.format(initiative_id=row.initiative_id, n=n),
        )
        for n, r in enumerate(numbered(row), 1)
        if r.decision
    ]


def replay_of(row: Initiative, n: int) -> DecisionReplay | None:
    """Decision `n` (from 1) replayed; None when there is no such decision."""
    reviews = numbered(row)
    if not 1 <= n <= len(reviews) or (d := reviews[n - 1].decision) is None:
        return None
    r = reviews[n - 1]
    kept = found(row.replays, r.gate, d.at)
    return DecisionReplay(
        initiative_id=row.initiative_id,
        title=row.summary.title,
        n=n,
        decisions=len(reviews),
        gate=r.gate,
        stage=r.stage,
        decision=d.decision,
        at=d.at,
        rationale=d.rationale,
        decided_by=d.decided_by,
        quorum=d.quorum,
        criteria_version=d.criteria_version,
        requested_at=r.requested_at,
        requested_by=r.requested_by,
        votes=r.votes,
        earlier_votes=r.earlier,
        conditions=d.conditions,
        readiness=kept.readiness if kept else None,
        since=_since(row, kept, reviews[n:]) if kept and d.decision == "recycle" else None,
    )


def _since(row: Initiative, recycle: Replay, later: list[Review]) -> Changes:
    """To the next decision at the same gate, if there is one, else to now."""
    then = (recycle.evidence, recycle.readiness)
    end = _next_at(row, recycle.gate, later)
    if end is not None:
        return changes(recycle.gate, recycle.at, end.at, then, (end.evidence, end.readiness))
    now = (inventory(row.facts), evaluate(recycle.gate, row.facts))
    return changes(recycle.gate, recycle.at, None, then, now)


def _next_at(row: Initiative, gate: Gate, later: list[Review]) -> Replay | None:
    for r in later:
        if r.gate == gate and r.decision is not None:
            return found(row.replays, gate, r.decision.at)
    return None


def since_recycle(row: Initiative) -> Changes | None:
    """For a stage reopened by a recycle and still open: what changed since that decision."""
    s = row.summary
    gate = GATE_OF_STAGE.get(s.stage)
    if gate is None or s.status not in ("active", "in_review"):
        return None
    at_gate = [r for r in numbered(row) if r.gate == gate and r.decision]
    last = at_gate[-1].decision if at_gate else None
    if last is None or last.decision != "recycle":
        return None
    kept = found(row.replays, gate, last.at)
    return _since(row, kept, []) if kept else None


class RecentDecision(msgspec.Struct, frozen=True, kw_only=True):
    """A decision a member voted on, taken a short while ago: the review queue keeps it in
    place of its card for a while, so the outcome is not gone in a blink."""

    initiative_id: str
    title: str
    n: int  # its number, for the replay
    gate: Gate
    decision: Decision
    at: datetime
    decided_by: tuple[str, ...]
    requested_at: datetime | None
    your_vote: Decision | None  # the member's current vote when it was decided
    kind: str = "decided"


def recent(row: Initiative, voter: str, since: datetime) -> RecentDecision | None:
    """The latest decision at or after `since` that `voter` voted on, if any."""
    reviews = numbered(row)
    for n in range(len(reviews), 0, -1):
        r = reviews[n - 1]
        if r.decision is None or r.decision.at < since:
            return None
        mine = [v for v in (*r.earlier, *r.votes) if v.voter == voter]
        if mine:
            return RecentDecision(
                initiative_id=row.initiative_id,
                title=row.summary.title,
                n=n,
                gate=r.gate,
                decision=r.decision.decision,
                at=r.decision.at,
                decided_by=r.decision.decided_by,
                requested_at=r.requested_at,
                your_vote=mine[-1].decision,
            )
    return None
