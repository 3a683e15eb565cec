"""Stage order and what a gate decision does to it: shared by the views."""

from __future__ import annotations

from datetime import datetime

from events.base import Stage
from events.gates import PASSING, Decision, Gate

NEXT_STAGE: dict[Gate, Stage] = {"G1": "poc", "G2": "pilot", "G3": "mvp", "G4": "production"}
STAGE_OF_GATE: dict[Gate, Stage] = {"G1": "ideation", "G2": "poc", "G3": "pilot", "G4": "mvp"}
STAGES: tuple[Stage, ...] = ("ideation", "poc", "pilot", "mvp", "production")


def rank(stage: str) -> int:
    return STAGES.index(stage)


def later(a: Stage, b: Stage) -> Stage:
    return a if rank(a) >= rank(b) else b


def passing(decision: Decision) -> bool:
    return decision in PASSING


def earliest(a: datetime | None, b: datetime) -> datetime:
    return b if a is None or b < a else a


def as_stage(name: str) -> Stage:
    for stage in STAGES:
        if stage == name:
            return stage
    raise ValueError(f"unknown stage {name!r}")
