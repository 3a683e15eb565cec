"""Portfolio figures, detail and review items computed from initiative rows (pure)."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from msgspec.structs import replace

from events.criteria import GATE_OF_STAGE, QUORUM
from events.gates import Gate
from services.projection import decisions
from services.projection.models import (
    GateConversion,
    InitiativeDetail,
    Portfolio,
    ReadinessView,
    ReviewItem,
    StageTime,
    StaleItem,
)
from services.projection.value_figures import case_figures, portfolio_value
from services.projection.views.gate_history import ConditionView, Review, open_review
from services.projection.views.initiative import Initiative
from services.projection.views.obligations import marks
from services.projection.views.readiness import readiness
from services.projection.views.stages import STAGES, passing
from services.projection.views.summary import Summary
from services.projection.views.tally import tally
from services.projection.views.visits import current

GATES: tuple[Gate, ...] = ("G1", "G2", "G3", "G4")
LIVE = ("active", "in_review", "on_hold")
DAY = 86400.0


def days(start: datetime | None, end: datetime) -> float:
    return 0.0 if start is None else in_days((end - start).total_seconds())


def in_days(seconds: float) -> float:
    return round(max(seconds, 0.0) / DAY, 2)


def time_in_stage(row: Initiative, now: datetime) -> float:
    visit = current(row.visits)
    end = visit.left_at if visit and visit.left_at else now
    return days(row.summary.entered_stage_at, end)


def summary_at(s: Summary, row: Initiative, now: datetime) -> Summary:
    ready = readiness_of(row)
    return replace(
        s, time_in_stage_days=time_in_stage(row, now),
        readiness_percent=ready.percent if ready else None,
    )  # fmt: skip


def readiness_of(row: Initiative) -> ReadinessView | None:
    s = row.summary
    r = readiness(s.stage, row.facts) if s.status not in ("killed", "launched") else None
    return ReadinessView.of(row.initiative_id, s.stage, r) if r else None


def detail(row: Initiative, now: datetime, as_of: datetime | None = None) -> InitiativeDetail:
    return InitiativeDetail(
        summary=summary_at(marks(row), row, now), gates=row.gates,
        metrics=list(row.metrics.kpis.values()), readiness=readiness_of(row),
        visits=list(row.visits.visits), time_in_stage_days=time_in_stage(row, now), as_of=as_of,
        dossier=row.dossier, conditions=conditions(row), decisions=decisions.links(row),
        since_recycle=decisions.since_recycle(row), business_case=case_figures(row, now),
    )  # fmt: skip


def conditions(row: Initiative) -> list[ConditionView]:
    """Every condition of every conditional go, in the order set: open and fulfilled."""
    return [c for r in row.gates.reviews if r.decision for c in r.decision.conditions]


def review_item(row: Initiative, now: datetime) -> ReviewItem | None:
    if row.summary.status == "launched" and row.summary.re_review:
        return re_review_item(row, now)
    review = open_review(row.gates)
    gate = GATE_OF_STAGE.get(row.summary.stage)
    if row.summary.status != "in_review" or gate is None:
        return None
    s = row.summary
    requested = review.requested_at if review and review.gate == gate else None
    return ReviewItem(
        initiative_id=s.initiative_id, title=s.title, owner=s.owner, stage=s.stage, gate=gate,
        requested_at=requested, requested_by=review.requested_by if requested and review else None,
        waiting_days=days(requested, now), votes=len(review.votes) if requested and review else 0,
        readiness=readiness_of(row), ballots=review.votes if requested and review else (),
        **_what_it_is(row), **_votes(review if requested else None, gate),
        **_late(review if requested else None),
    )  # fmt: skip


def _late(review: Review | None) -> dict[str, Any]:
    """When a review waiting past its service level was due, flagged and escalated."""
    if review is None or review.overdue_at is None:
        return {}
    return {
        "due_at": review.due_at,
        "overdue_at": review.overdue_at,
        "escalated_to": review.escalated_to,
    }


def _votes(review: Review | None, gate: Gate) -> dict[str, Any]:
    """Each member's current vote counted once, against the gate's quorum."""
    current = review.votes if review else ()
    earlier = review.earlier if review else ()
    return {"tally": tally((v.decision for v in current), QUORUM[gate]), "earlier": earlier}


def _what_it_is(row: Initiative) -> dict[str, Any]:
    """What a committee member reads first on a review card."""
    s, d = row.summary, row.dossier
    return {"problem_statement": d.problem_statement, "business_goal": d.business_goal,
            "risk_class": s.risk_class, "risk_confirmed": s.risk_confirmed,
            "priority": s.priority}  # fmt: skip


def re_review_item(row: Initiative, now: datetime) -> ReviewItem:
    """A launched initiative whose KPI breached: the committee keeps it running or retires it."""
    s = row.summary
    return ReviewItem(
        initiative_id=s.initiative_id, title=s.title, owner=s.owner, stage="production",
        gate="G4", requested_at=s.re_review_at, requested_by=None,
        waiting_days=days(s.re_review_at, now), votes=0, readiness=None, kind="re_review",
        reason=s.re_review, **_what_it_is(row),
    )  # fmt: skip


def percentile(values: list[float], p: float) -> float | None:
    """Nearest-rank percentile; None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(math.ceil(p / 100 * len(ordered)) - 1, 0)]


def conversion(rows: list[Initiative], gate: Gate) -> GateConversion:
    passed = decided = 0
    for row in rows:
        outcomes = {r.decision.decision for r in row.gates.reviews if r.gate == gate and r.decision}
        won = any(passing(d) for d in outcomes)
        passed += won
        decided += won or "kill" in outcomes
    return GateConversion(gate=gate, decided=decided, passed=passed,
                          rate=round(passed / decided, 3) if decided else None)  # fmt: skip


def cycle_times(rows: list[Initiative], now: datetime) -> list[StageTime]:
    spans: dict[str, list[float]] = {s: [] for s in STAGES}
    for row in rows:
        for v in row.visits.visits:
            spans[v.stage].append(days(v.entered_at, v.left_at or now))
    return [
        StageTime(stage=s, visits=len(spans[s]), median_days=percentile(spans[s], 50),
                  p90_days=percentile(spans[s], 90))
        for s in STAGES
    ]  # fmt: skip


def stale(rows: Iterable[Initiative], now: datetime, stale_days: int) -> list[StaleItem]:
    items = [
        StaleItem(initiative_id=r.initiative_id, title=r.summary.title, owner=r.summary.owner,
                  stage=r.summary.stage, status=r.summary.status,
                  days_in_stage=time_in_stage(r, now))
        for r in rows
        if r.summary.status in LIVE and r.summary.stage != "production"
    ]  # fmt: skip
    return longest_first(items, stale_days)


def longest_first(items: Iterable[StaleItem], stale_days: int) -> list[StaleItem]:
    """Those past `stale_days`, the longest in their stage first (then by id: a stable
    order whatever order the rows came in)."""
    return sorted(
        (i for i in items if i.days_in_stage > stale_days),
        key=lambda i: (-i.days_in_stage, i.initiative_id),
    )


def portfolio(rows: list[Initiative], now: datetime, stale_days: int) -> Portfolio:
    statuses = Counter[str](r.summary.status for r in rows)
    return Portfolio(
        as_of=now, total=len(rows), per_stage=_counts(r.summary.stage for r in rows),
        per_status=dict(statuses), conversion=[conversion(rows, g) for g in GATES],
        cycle_times=cycle_times(rows, now),
        kill_rate=round(statuses["killed"] / len(rows), 3) if rows else 0.0,
        stale_days=stale_days, stale=stale(rows, now, stale_days),
        value=portfolio_value(rows, now, STAGES),
    )  # fmt: skip


def _counts(stages: Iterable[str]) -> dict[str, int]:
    found = Counter(stages)
    return {s: found[s] for s in STAGES}
