"""Stage visits: when an initiative entered and left each stage, and how; for cycle times."""

from __future__ import annotations

from datetime import datetime

from msgspec.structs import replace

from events import gates, ideation
from events.base import Event, Frozen, Stage, stage_of
from events.gates import Decision
from services.projection.views.stages import (
    NEXT_STAGE,
    STAGE_OF_GATE,
    as_stage,
    earliest,
    passing,
    rank,
)


class Visit(Frozen, frozen=True, kw_only=True):
    stage: Stage
    entered_at: datetime
    left_at: datetime | None = None
    outcome: Decision | None = None  # the gate decision that ended it: go, conditional_go, kill


class Visits(Frozen, frozen=True, kw_only=True):
    visits: tuple[Visit, ...] = ()  # in stage order


def project(v: Visits, event: Event) -> Visits:
    match event:
        case ideation.IdeaProposed():
            return _entered(v, "ideation", event.at)
        case gates.StageOpened():
            return _entered(v, as_stage(stage_of(event)), event.at)
        case gates.GateDecided() if passing(event.decision) or event.decision == "kill":
            v = _left(v, STAGE_OF_GATE[event.gate], event.at, event.decision)
            return _entered(v, NEXT_STAGE[event.gate], event.at) if event.decision != "kill" else v
        case _:
            return v


def current(v: Visits) -> Visit | None:
    return v.visits[-1] if v.visits else None


def _put(v: Visits, visit: Visit) -> Visits:
    others = [x for x in v.visits if x.stage != visit.stage]
    return Visits(visits=tuple(sorted([*others, visit], key=lambda x: rank(x.stage))))


def _find(v: Visits, stage: Stage) -> Visit | None:
    return next((x for x in v.visits if x.stage == stage), None)


def _entered(v: Visits, stage: Stage, at: datetime) -> Visits:
    known = _find(v, stage)
    entered = earliest(known.entered_at if known else None, at)
    return _put(
        v, replace(known, entered_at=entered) if known else Visit(stage=stage, entered_at=at)
    )


def _left(v: Visits, stage: Stage, at: datetime, outcome: Decision) -> Visits:
    known = _find(v, stage) or Visit(stage=stage, entered_at=at)
    if known.left_at is not None:
        return v
    return _put(v, replace(known, left_at=at, outcome=outcome))
