"""Gate history: every review with its votes, and the decision with rationale and conditions."""

from __future__ import annotations

from datetime import UTC, datetime

from msgspec.structs import replace

from events import gates
from events.base import Event, Frozen, Stage
from events.gates import Decision, Gate
from services.projection.views.stages import STAGE_OF_GATE


class Vote(Frozen, frozen=True, kw_only=True):
    vote_id: str
    voter: str
    decision: Decision
    rationale: str
    at: datetime
    conditions: tuple[gates.Condition, ...] = ()


class ConditionView(Frozen, frozen=True, kw_only=True):
    condition_id: str
    text: str
    fulfilled: bool = False
    fulfilled_at: datetime | None = None
    fulfilled_by: str | None = None
    evidence: str = ""


class DecisionView(Frozen, frozen=True, kw_only=True):
    decision: Decision
    rationale: str
    at: datetime
    decided_by: tuple[str, ...]
    criteria_version: str
    quorum: int
    unmet: tuple[str, ...] = ()
    conditions: tuple[ConditionView, ...] = ()


class Review(Frozen, frozen=True, kw_only=True):
    gate: Gate
    stage: Stage
    requested_at: datetime | None = None
    requested_by: str | None = None
    criteria_version: str | None = None
    votes: tuple[Vote, ...] = ()  # each member's current vote, in the order cast
    decision: DecisionView | None = None
    due_at: datetime | None = None  # set when it went overdue (review_overdue)
    overdue_at: datetime | None = None
    escalated_to: str | None = None  # the committee chair it was escalated to
    earlier: tuple[Vote, ...] = ()  # votes a member's later vote replaced, oldest first


class Fulfilment(Frozen, frozen=True, kw_only=True):
    at: datetime
    by: str
    evidence: str = ""


class GateHistory(Frozen, frozen=True, kw_only=True):
    reviews: tuple[Review, ...] = ()
    fulfilled: dict[str, Fulfilment] = {}


def project(h: GateHistory, event: Event) -> GateHistory:
    match event:
        case gates.GateReviewRequested():
            return _requested(h, event)
        case gates.GateVoteCast():
            return _voted(h, event)
        case gates.GateDecided():
            return _decided(h, event)
        case gates.ReviewOverdue():
            return _overdue(h, event)
        case gates.ConditionFulfilled():
            done = Fulfilment(at=event.at, by=event.fulfilled_by, evidence=event.evidence)
            h = replace(h, fulfilled={**h.fulfilled, event.condition_id: done})
            return replace(h, reviews=tuple(_marked(r, h.fulfilled) for r in h.reviews))
        case _:
            return h


def open_review(h: GateHistory) -> Review | None:
    """The latest review still awaiting its decision."""
    return next((r for r in reversed(h.reviews) if r.decision is None), None)


def _requested(h: GateHistory, e: gates.GateReviewRequested) -> GateHistory:
    if any(r.gate == e.gate and r.requested_at == e.at for r in h.reviews):
        return h
    review = Review(gate=e.gate, stage=STAGE_OF_GATE[e.gate], requested_at=e.at,
                    requested_by=e.requested_by, criteria_version=e.criteria_version)  # fmt: skip
    return replace(h, reviews=_ordered((*h.reviews, review)))


def _ordered(reviews: tuple[Review, ...]) -> tuple[Review, ...]:
    """By gate, then time: the same history whichever stage's stream was applied first."""
    return tuple(sorted(reviews, key=lambda r: (r.gate, _when(r))))


def _when(r: Review) -> datetime:
    if r.requested_at is not None:
        return r.requested_at
    if r.votes:
        return r.votes[0].at
    return r.decision.at if r.decision else datetime.min.replace(tzinfo=UTC)


def _target(h: GateHistory, gate: Gate, at: datetime) -> int:
    """Index of the review an event of `gate` at `at` belongs to; -1 for a new one."""
    for i in range(len(h.reviews) - 1, -1, -1):
        r = h.reviews[i]
        if r.gate == gate and (r.decision is None or r.decision.at >= at):
            return i
    return -1


def _with(h: GateHistory, gate: Gate, at: datetime, change: Review) -> GateHistory:
    i = _target(h, gate, at)
    if i < 0:
        return replace(h, reviews=_ordered((*h.reviews, change)))
    return replace(h, reviews=(*h.reviews[:i], change, *h.reviews[i + 1 :]))


def _review(h: GateHistory, gate: Gate, at: datetime) -> Review:
    i = _target(h, gate, at)
    return h.reviews[i] if i >= 0 else Review(gate=gate, stage=STAGE_OF_GATE[gate])


def _voted(h: GateHistory, e: gates.GateVoteCast) -> GateHistory:
    """A member's later vote replaces their earlier one, which moves to `earlier`."""
    review = _review(h, e.gate, e.at)
    if any(v.vote_id == e.vote_id for v in (*review.votes, *review.earlier)):
        return h
    vote = Vote(vote_id=e.vote_id, voter=e.voter, decision=e.decision, rationale=e.rationale,
                at=e.at, conditions=e.conditions)  # fmt: skip
    replaced = tuple(v for v in review.votes if v.voter == e.voter)
    current = (*(v for v in review.votes if v.voter != e.voter), vote)
    changed = replace(review, votes=current, earlier=(*review.earlier, *replaced))
    return _with(h, e.gate, e.at, changed)


def _decided(h: GateHistory, e: gates.GateDecided) -> GateHistory:
    review = _review(h, e.gate, e.at)
    if review.decision is not None:
        return h
    conditions = tuple(
        ConditionView(condition_id=c.condition_id, text=c.text) for c in e.conditions
    )
    decision = DecisionView(
        decision=e.decision, rationale=e.rationale, at=e.at, decided_by=e.decided_by,
        criteria_version=e.criteria_version, quorum=e.quorum, unmet=e.unmet, conditions=conditions,
    )  # fmt: skip
    return _with(h, e.gate, e.at, _marked(replace(review, decision=decision), h.fulfilled))


def _overdue(h: GateHistory, e: gates.ReviewOverdue) -> GateHistory:
    """Marks the review it names (by gate and request time) while it awaits its decision."""
    late = {"due_at": e.due_at, "overdue_at": e.at, "escalated_to": e.escalated_to}
    reviews = tuple(
        replace(r, **late)
        if r.gate == e.gate and r.requested_at == e.requested_at and r.decision is None
        else r
        for r in h.reviews
    )
    return replace(h, reviews=reviews)


def _marked(r: Review, fulfilled: dict[str, Fulfilment]) -> Review:
    if r.decision is None or not r.decision.conditions:
        return r
    conditions = tuple(_mark(c, fulfilled.get(c.condition_id)) for c in r.decision.conditions)
    return replace(r, decision=replace(r.decision, conditions=conditions))


def _mark(c: ConditionView, f: Fulfilment | None) -> ConditionView:
    if f is None:
        return c
    return replace(c, fulfilled=True, fulfilled_at=f.at, fulfilled_by=f.by, evidence=f.evidence)
