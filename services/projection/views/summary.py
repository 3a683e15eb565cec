"""Initiative summary: who, what, where in the lifecycle, and the last gate decision."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from msgspec.structs import replace

from events import gates, ideation, people, poc, production
from events.base import Event, Frozen, Stage, stage_of
from events.catalog import MEASURED
from events.gates import PASSING, Decision, Gate, RiskClass
from events.people import Person, free_text
from services.projection.views.stages import NEXT_STAGE, STAGE_OF_GATE, as_stage, earliest, rank

Status = Literal["active", "in_review", "on_hold", "killed", "launched"]
REFINABLE = ("title", "sponsor", "ai_category", "tags")


class LastDecision(Frozen, frozen=True, kw_only=True):
    gate: Gate
    decision: Decision
    at: datetime
    rationale: str


class Summary(Frozen, frozen=True, kw_only=True):
    initiative_id: str
    title: str = ""
    owner: str = ""
    owner_account: str | None = None  # the owner's account; None: a free-text name
    team: tuple[Person, ...] = ()  # accounts, or free-text names (account None)
    sponsor: str = ""
    ai_category: str = "other"
    tags: tuple[str, ...] = ()
    stage: Stage = "ideation"
    status: Status = "active"
    entered_stage_at: datetime | None = None
    proposed_at: datetime | None = None
    updated_at: datetime | None = None
    risk_class: RiskClass | None = None
    risk_confirmed: bool = False
    priority: float | None = None
    last_decision: LastDecision | None = None
    breached: bool = False
    re_review: str | None = None  # an open post-launch re-review: its reason
    re_review_at: datetime | None = None
    time_in_stage_days: float = 0.0  # filled in when read, from business time
    readiness_percent: int | None = None  # filled in when read: readiness for the next gate
    # EU AI Act (views/obligations.marks, kept in the summary column): unmet obligations, the
    # deadlines of those with one, and how many are due before launch
    obligations_open: int = 0
    obligation_deadlines: tuple[datetime, ...] = ()
    obligations_before_launch_open: int = 0


def project(s: Summary, event: Event) -> Summary:
    s = replace(s, updated_at=max(s.updated_at or event.at, event.at))
    if type(event) in MEASURED:  # the most frequent: only the time above
        return s
    match event:
        case ideation.IdeaProposed():
            s = replace(s, proposed_at=event.at, title=event.title, owner=event.owner,
                        sponsor=event.sponsor, ai_category=event.ai_category,
                        tags=event.tags)  # fmt: skip
            team = event.team_members or free_text(event.team)
            s = replace(s, owner_account=event.owner_account, team=team)
            return _enter(s, "ideation", event.at)
        case ideation.IdeaRefined():
            return _refined(s, event)
        case people.OwnershipHandedOver():
            return replace(s, owner=event.owner, owner_account=event.owner_account)
        case ideation.IdeaScored():
            return replace(s, priority=event.priority)
        case ideation.RiskPreclassified():
            return s if s.risk_confirmed else replace(s, risk_class=event.risk_class)
        case poc.RiskClassConfirmed():
            return replace(s, risk_class=event.risk_class, risk_confirmed=True)
        case gates.StageOpened():
            return _opened(s, event)
        case gates.GateReviewRequested():
            return _status(s, "in_review") if _current(s, event.gate) else s
        case gates.GateDecided():
            return _decided(s, event)
        case gates.InitiativeResumed():
            return _status(s, "active") if s.status == "on_hold" else s
        case production.KpiBreached():
            return replace(s, breached=True)
        case production.ReReviewRequested():
            return replace(s, re_review=event.reason, re_review_at=event.at)
        case production.ReReviewDecided():
            s = replace(s, re_review=None, re_review_at=None)
            if event.decision == "continue":
                return s
            retired = LastDecision(gate="G4", decision="kill", at=event.at,
                                   rationale=event.rationale)  # fmt: skip
            return replace(_status(s, "killed"), last_decision=retired)
        case _:
            return s


def _refined(s: Summary, e: ideation.IdeaRefined) -> Summary:
    """An owner renamed by a refinement (before handovers existed) is a free-text name."""
    changed = {f: getattr(e, f) for f in REFINABLE if getattr(e, f) is not None}
    if e.owner is not None:
        changed.update(owner=e.owner, owner_account=None)
    if e.team_members is not None or e.team is not None:
        changed["team"] = e.team_members or free_text(e.team or ())
    return replace(s, **changed)


def _current(s: Summary, gate: Gate) -> bool:
    """Whether the gate belongs to the stage the initiative is in (not an old, late event)."""
    return rank(STAGE_OF_GATE[gate]) >= rank(s.stage)


def _status(s: Summary, status: Status) -> Summary:
    return s if s.status == "killed" else replace(s, status=status)


def _enter(s: Summary, stage: Stage, at: datetime) -> Summary:
    """Later stages win; the same stage entered twice keeps the earliest time (order-free)."""
    if s.entered_stage_at is None or rank(stage) > rank(s.stage):
        return replace(s, stage=stage, entered_stage_at=at)
    if stage == s.stage:
        return replace(s, entered_stage_at=earliest(s.entered_stage_at, at))
    return s


def _opened(s: Summary, e: gates.StageOpened) -> Summary:
    h = e.handoff
    s = replace(
        s, title=s.title or h.title, owner=s.owner or h.owner, sponsor=s.sponsor or h.sponsor,
        risk_class=s.risk_class or h.risk_class, team=s.team or h.team_members,
        owner_account=s.owner_account if s.owner else h.owner_account,
    )  # fmt: skip
    advanced = rank(stage_of(e)) > rank(s.stage)
    s = _enter(s, as_stage(stage_of(e)), e.at)
    return _status(s, "active") if advanced else s


def _decided(s: Summary, e: gates.GateDecided) -> Summary:
    if s.last_decision is None or e.at >= s.last_decision.at:
        last = LastDecision(gate=e.gate, decision=e.decision, at=e.at, rationale=e.rationale)
        s = replace(s, last_decision=last)
    current = _current(s, e.gate)
    if e.decision in PASSING:  # a next stage opened first keeps the earlier time: order-free
        s = _enter(s, NEXT_STAGE[e.gate], e.at)
    if not current:
        return s
    match e.decision:
        case "go" | "conditional_go":
            return _status(s, "launched" if e.gate == "G4" else "active")
        case "hold":
            return _status(s, "on_hold")
        case "recycle":
            return _status(s, "active")
        case "kill":
            return _status(s, "killed")
