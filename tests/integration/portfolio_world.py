"""A randomized portfolio for the figures' equivalence test and benchmark: every outcome of
test_projection_support plus a kill and a hold at each later gate and a recycle followed by
a go, business cases in three currencies (refined stage by stage, killed ones too), and
business times from two years ago to yesterday, so some are stale and some are not.

No tests here: tests/integration/test_portfolio_figures.py and tests/perf import it.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from typing import Any

from msgspec.structs import replace

from events import ideation, pilot, poc
from events.business_case import BusinessCase
from tests.integration.test_projection_support import (
    OUTCOMES,
    START,
    _gate,
    _pilot,
    envelopes,
    initiative,
)

MORE = ("kill_g3", "kill_g4", "hold_g3", "recycle_then_go")
KINDS = (*OUTCOMES, *MORE)
REFINED = {
    "ideation": ideation.BusinessCaseRefined,
    "poc": poc.BusinessCaseRefined,
    "pilot": pilot.BusinessCaseRefined,
}
OPENED = {"ideation": ideation.IdeaProposed, "poc": poc.PocOpened, "pilot": pilot.KpiDefined}


def lifecycle(i: int, outcome: str) -> list[Any]:
    """Initiative i's events for one of KINDS, in business-time order."""
    iid = f"init-{i:05d}"
    if outcome == "kill_g3":
        return initiative(i, "pilot_running") + _gate(iid, i, "G3", 40, "kill")
    if outcome == "hold_g3":
        return initiative(i, "pilot_running") + _gate(iid, i, "G3", 40, "hold")
    if outcome == "kill_g4":
        launched = initiative(i, "launched")
        return launched[: len(launched) - 4] + _gate(iid, i, "G4", 60, "kill")
    if outcome == "recycle_then_go":
        return initiative(i, "recycle_g2") + _gate(iid, i, "G2", 15, "go") + _pilot(iid, i, 3)
    return initiative(i, outcome)


def case(rng: random.Random, kpi: bool) -> BusinessCase:
    expected = round(rng.uniform(5_000, 900_000), rng.choice((-3, 0, 2)))
    return BusinessCase(
        expected_annual_value=expected,
        one_off_cost=round(expected * rng.uniform(0, 1.5), rng.choice((-3, 2))),
        running_cost_per_year=round(expected * rng.uniform(0, 0.4), rng.choice((-3, 2))),
        confidence=rng.choice(("low", "medium", "high")),
        currency=rng.choice(("EUR", "EUR", "USD", "CHF")),
        kpi_id="k1" if kpi else None,
        value_per_unit=round(rng.uniform(100, 9_000), 2) if kpi else 0.0,
    )


def with_cases(events: list[Any], rng: random.Random) -> list[Any]:
    """A case refined after the stage's first event, in the stages it reached (at random)."""
    out: list[Any] = []
    for e in events:
        out.append(e)
        stage = next((s for s, kind in OPENED.items() if isinstance(e, kind)), None)
        if stage is not None and rng.random() < 0.7:
            kpi = stage != "ideation"
            at = e.at + timedelta(hours=1)
            refined = REFINED[stage](
                initiative_id=e.initiative_id, at=at, case=case(rng, kpi), refined_by="ana"
            )
            out.append(refined)
    return out


def shifted(events: list[Any], by: timedelta) -> list[Any]:
    return [replace(e, at=e.at + by) for e in events]


def world(n: int, seed: int = 13, now: datetime | None = None) -> list[list[Any]]:
    """n initiatives' events (one list each), the last of them no later than yesterday."""
    rng = random.Random(seed)
    latest = (now or datetime.now(UTC)) - START - timedelta(days=75)
    out = []
    for i in range(n):
        events = with_cases(lifecycle(i, KINDS[rng.randrange(len(KINDS))]), rng)
        recent = rng.random() < 0.4  # started lately: not stale yet, some events ahead of now
        days = latest.days + rng.uniform(-30, 60) if recent else rng.uniform(0, latest.days)
        out.append(shifted(events, timedelta(days=days, minutes=rng.choice((0, 7, 30)))))
    return out


def streams(n: int, seed: int = 13) -> list[list[Any]]:
    """The same, as CloudEvents the relay would publish."""
    return [envelopes(events) for events in world(n, seed)]
