"""Business cases for the demo portfolio, so that the value-versus-effort chart means
something: a first case in ideation, refined in the PoC and again once the pilot's KPI is
defined, and a year or so of production measurements for the launched initiatives, so that
value is realised and some cases pay back."""

from __future__ import annotations

from datetime import datetime, timedelta

from events.base import Command
from events.business_case import BusinessCase, Confidence, RefineBusinessCase
from events.kpis import RecordMeasurement
from services.journeys import CONTRIBUTOR, KPI_BOT, Profile, Step

# expected value per year (kEUR) of the n-th demo initiative; costs follow as shares of it
EXPECTED = (480, 350, 260, 190, 300, 120, 420, 90, 380, 240, 60, 70, 150, 210, 330, 160, 110,
            95, 280, 140, 80, 130, 85, 100, 170, 40, 75)  # fmt: skip
ONE_OFF = (0.25, 0.9, 1.3, 0.7, 1.6, 0.4, 0.6)
RUNNING = (0.15, 0.25, 0.1, 0.3, 0.2)
LIVE_EVERY = timedelta(days=30)  # production measurements after launch


def case(p: Profile, n: int, stage: str) -> BusinessCase:
    """The n-th initiative's case as it stands in `stage`: optimistic and vague at first."""
    expected = EXPECTED[n % len(EXPECTED)] * 1000.0
    optimism, confidence, kpi = {
        "ideation": (1.25, "low", None),
        "poc": (1.0, "medium", "k1"),
        "pilot": (0.9, "high", "k1"),
    }[stage]
    spread = abs(p.target - p.baseline) or 1.0
    return BusinessCase(
        expected_annual_value=round(expected * optimism, -3),
        one_off_cost=round(expected * ONE_OFF[n % len(ONE_OFF)] / optimism, -3),
        running_cost_per_year=round(expected * RUNNING[n % len(RUNNING)], -3),
        confidence=_confidence(confidence),
        kpi_id=kpi,
        value_per_unit=round(expected / spread, 2) if kpi else 0.0,
        note=f"{p.goal}; estimated with {p.sponsor.split(' (')[0]}",
    )


def _confidence(given: str) -> Confidence:
    return "low" if given == "low" else "high" if given == "high" else "medium"


def with_cases(p: Profile, n: int, steps: list[Step], now: datetime) -> list[Step]:
    """The journey with the case refined in each stage it reaches, plus live measurements."""
    out: list[Step] = []
    seen: set[str] = set()
    for stage, command in steps:
        first_poc = stage == "poc" and "poc" not in seen
        if first_poc:
            out.append(("poc", _refine(p, n, "poc", command, minutes=-1)))
        out.append((stage, command))
        seen.add(stage)
        name = type(command).__name__
        if name == "ProposeIdea":
            out.append(("ideation", _refine(p, n, "ideation", command)))
        elif name == "DefineKpi":
            out.append(("pilot", _refine(p, n, "pilot", command)))
    return out + (_live(p, out[-1][1].at, now) if p.outcome == "launched" else [])


def _refine(
    p: Profile, n: int, stage: str, beside: Command, minutes: int = 1
) -> RefineBusinessCase:
    return RefineBusinessCase(
        initiative_id=p.initiative_id, at=beside.at + timedelta(minutes=minutes), actor=CONTRIBUTOR,
        case=case(p, n, stage),
    )  # fmt: skip


def _live(p: Profile, since: datetime, now: datetime) -> list[Step]:
    """Monthly production measurements from launch until a day ago, near the target."""
    better = abs(p.target - p.baseline) * 0.1
    value = p.target + better if p.direction == "higher" else p.target - better
    out: list[Step] = []
    at, k = since + LIVE_EVERY, 0
    while at < now - timedelta(days=1):
        wobble = (k % 3 - 1) * better * 0.3
        out.append(("mvp", RecordMeasurement(
            initiative_id=p.initiative_id, at=at, actor=KPI_BOT, kpi_id="k1",
            measurement_id=f"live{k}", value=round(value + wobble, 2), source="kpi-agent",
        )))  # fmt: skip
        at, k = at + LIVE_EVERY, k + 1
    return out
