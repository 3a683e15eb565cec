"""What the queries return: msgspec Structs the API serialises as they are."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

import msgspec

from events.base import Stage
from events.criteria import CriterionResult, Readiness
from events.gates import Gate, RiskClass
from services.projection.decisions import DecisionLink
from services.projection.value_figures import CaseFigures, PortfolioValue
from services.projection.views.dossier_records import Dossier
from services.projection.views.evidence import Changes
from services.projection.views.gate_history import ConditionView, GateHistory, Vote
from services.projection.views.metrics import KpiView
from services.projection.views.summary import Status, Summary
from services.projection.views.tally import Tally
from services.projection.views.visits import Visit

InitiativeSummary = Summary


class ReadinessView(msgspec.Struct, frozen=True, kw_only=True):
    initiative_id: str
    stage: Stage
    gate: Gate
    version: str
    criteria: tuple[CriterionResult, ...]
    must_met: bool
    unmet: tuple[str, ...]
    score: int  # should-meet weighted score, 0-100
    percent: int  # share of all criteria met, 0-100

    @classmethod
    def of(cls, initiative_id: str, stage: Stage, r: Readiness) -> ReadinessView:
        return cls(initiative_id=initiative_id, stage=stage, gate=r.gate, version=r.version,
                   criteria=r.criteria, must_met=r.must_met, unmet=r.unmet, score=r.score,
                   percent=r.percent)  # fmt: skip


class InitiativeDetail(msgspec.Struct, frozen=True, kw_only=True):
    summary: InitiativeSummary
    gates: GateHistory
    metrics: list[KpiView]
    readiness: ReadinessView | None
    visits: list[Visit]
    time_in_stage_days: float
    dossier: Dossier  # problem, goal and the current state of every stage record
    conditions: list[ConditionView]  # of every conditional go: open and fulfilled
    as_of: datetime | None = None
    decisions: list[DecisionLink] = []  # every past gate decision, with its replay's address
    since_recycle: Changes | None = None  # a stage reopened by a recycle: what changed since
    business_case: CaseFigures | None = None  # the case in force, its history and figures


class InitiativePage(msgspec.Struct, frozen=True, kw_only=True):
    items: list[InitiativeSummary]
    total: int
    limit: int
    offset: int


class GateConversion(msgspec.Struct, frozen=True, kw_only=True):
    gate: Gate
    decided: int  # initiatives that passed or were killed at this gate
    passed: int  # go or conditional_go
    rate: float | None  # passed / decided; None before any decision


class StageTime(msgspec.Struct, frozen=True, kw_only=True):
    stage: Stage
    visits: int  # completed and ongoing visits counted
    median_days: float | None
    p90_days: float | None


class StaleItem(msgspec.Struct, frozen=True, kw_only=True):
    initiative_id: str
    title: str
    owner: str
    stage: Stage
    status: Status
    days_in_stage: float


class Portfolio(msgspec.Struct, frozen=True, kw_only=True):
    as_of: datetime
    total: int
    per_stage: dict[str, int]
    per_status: dict[str, int]
    conversion: list[GateConversion]
    cycle_times: list[StageTime]
    kill_rate: float  # killed / all initiatives
    stale_days: int
    stale: list[StaleItem]
    value: PortfolioValue | None = None  # business cases: per stage, per sponsor, points


class ReviewItem(msgspec.Struct, frozen=True, kw_only=True):
    initiative_id: str
    title: str
    owner: str
    stage: Stage
    gate: Gate
    requested_at: datetime | None
    requested_by: str | None
    waiting_days: float
    votes: int
    readiness: ReadinessView | None
    ballots: tuple[Vote, ...] = ()  # each member's current vote, in the order cast
    kind: Literal["gate", "re_review"] = "gate"  # re_review: a launched KPI breached
    tally: Tally | None = None  # the current votes counted, what is still needed, a split
    earlier: tuple[Vote, ...] = ()  # votes a member's later vote replaced
    reason: str | None = None  # why a re-review was requested
    problem_statement: str = ""
    business_goal: str = ""
    risk_class: RiskClass | None = None
    risk_confirmed: bool = False
    priority: float | None = None
    due_at: datetime | None = None  # set once it went overdue: past its service level
    overdue_at: datetime | None = None
    escalated_to: str | None = None  # the committee chair it was escalated to


class Lag(msgspec.Struct, frozen=True, kw_only=True):
    stream_last: int  # the stream's last sequence
    applied: int  # the highest sequence applied to the read models
    events_behind: int
    seconds_behind: float  # age of the oldest event not yet applied; 0 when caught up
