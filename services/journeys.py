"""Journeys: the commands that take one initiative along a path through the stages.

Pure data builders shared by the demo portfolio and the tests, so that both drive
Tollgate through its real commands. A journey is a list of (stage, command);
business time comes from a Clock that moves forward step by step. The owner's account
acts as the owner; for an owner without an account, olivia, who is then on the team.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, timedelta
from typing import Literal

import msgspec

from events import gates, ideation, kpis, mvp, pilot, poc
from events.base import Actor, Command
from events.gates import Condition, RiskClass
from events.people import Person

Outcome = Literal[
    "ideation",
    "in_review",
    "poc",
    "pilot",
    "mvp",
    "launched",
    "killed_g1",
    "killed_g2",
    "recycled_g3",
    "held",
    "conditional",
    "breached",
]
Step = tuple[str, Command]
OWNER = Actor(id="olivia", name="olivia", roles=("owner",))
CONTRIBUTOR = Actor(id="carlos", name="Carlos Contributor", roles=("contributor",))
CHAIR = Actor(id="clara", name="Clara Chair", roles=("committee",))
MEMBER = Actor(id="conrad", name="Conrad Committee", roles=("committee",))
KPI_BOT = Actor(id="kpi-agent", name="KPI agent", kind="agent", roles=("contributor",))


class Profile(msgspec.Struct, frozen=True, kw_only=True):
    initiative_id: str
    title: str
    problem: str
    goal: str
    sponsor: str = "Sabine Sponsor"
    owner: str = "olivia"
    owner_account: str | None = "olivia"  # None: a name without an account
    team: tuple[Person, ...] = (Person(name="carlos", account="carlos"),)
    category: ideation.AiCategory = "generative"
    tags: tuple[str, ...] = ()
    risk: RiskClass = "limited"
    kpi: str = "Resolution rate"
    unit: str = "%"
    baseline: float = 50.0
    target: float = 70.0
    direction: kpis.Direction = "higher"
    outcome: Outcome = "launched"
    scores: tuple[int, int, int, int] = (4, 4, 2, 5)  # value, feasibility, risk, strategic fit
    unfinished: int = 0  # for an open stage: its last work steps not done yet


class Clock:
    def __init__(self, start: datetime, step: timedelta) -> None:
        self.now = start
        self.step = step

    def tick(self, steps: float = 1) -> datetime:
        self.now += self.step * steps
        return self.now


# outcomes that end in a stage whose work is under way (the steps after its opening)
OPEN_WORK: dict[str, int] = {
    "ideation": 4,
    "poc": 5,
    "conditional": 5,
    "held": 5,
    "pilot": 7,
    "mvp": 7,
}


def journey(p: Profile, clock: Clock) -> list[Step]:
    """The steps of `p`; an outcome in an open stage leaves its last `unfinished` work steps
    undone (at most that stage's work), so its readiness is below 100%."""
    steps = list(_steps(p, clock, owner_of(p)))
    undone = min(p.unfinished, OPEN_WORK.get(p.outcome, 0))
    return steps[: len(steps) - undone]


def owner_of(p: Profile) -> Actor:
    """Who acts as the owner: the owner's account, or olivia on the team of an owner
    without one."""
    account = p.owner_account or OWNER.id
    return Actor(id=account, name=account, roles=("owner",))


def _steps(p: Profile, c: Clock, owner: Actor) -> Iterator[Step]:
    i, o = p.initiative_id, p.outcome
    yield from _ideation(p, c)
    if o == "ideation":
        return
    yield "ideation", gates.RequestGateReview(initiative_id=i, at=c.tick(), actor=owner)
    if o == "in_review":
        return
    if o == "killed_g1":
        yield "ideation", _vote(i, c, CHAIR, "kill", "Value does not justify the effort")
        return
    if o == "held":
        yield "ideation", _vote(i, c, CHAIR, "hold", "Budget freeze until next quarter")
        yield "ideation", gates.Resume(initiative_id=i, at=c.tick(10), actor=owner)
        yield "ideation", gates.RequestGateReview(initiative_id=i, at=c.tick(), actor=owner)
    conditional = o == "conditional"
    yield "ideation", _vote(
        i, c, CHAIR, "conditional_go" if conditional else "go", "Strong case, clear owner",
        conditions=(Condition(condition_id="works-council", text="Works council consulted"),)
        if conditional else (),
    )  # fmt: skip
    if conditional:
        yield (
            "poc",
            gates.FulfilCondition(
                initiative_id=i,
                at=c.tick(3),
                actor=owner,
                condition_id="works-council",
                evidence="Minutes of the works council meeting",
            ),
        )
    yield from _poc(p, c, validated=o != "killed_g2")
    if o in ("poc", "conditional", "held"):
        return
    yield "poc", gates.RequestGateReview(initiative_id=i, at=c.tick(), actor=owner)
    if o == "killed_g2":
        yield "poc", _vote(i, c, CHAIR, "kill", "Hypothesis not validated")
        return
    yield "poc", _vote(i, c, CHAIR, "go", "Hypotheses validated on real data")
    yield from _pilot(p, c, on_target=o != "recycled_g3")
    if o == "pilot":
        return
    yield "pilot", gates.RequestGateReview(initiative_id=i, at=c.tick(), actor=owner)
    if o == "recycled_g3":
        yield "pilot", _vote(i, c, CHAIR, "recycle", "KPI below target; extend the pilot")
        yield "pilot", _vote(i, c, MEMBER, "recycle", "Agree: more evidence needed", "v2")
        yield from _measure("pilot", p, c, [_on_target(p)] * 3, "r")
        yield "pilot", gates.RequestGateReview(initiative_id=i, at=c.tick(), actor=owner)
    yield "pilot", _vote(i, c, CHAIR, "go", "Pilot met its KPIs", "v3")
    yield "pilot", _vote(i, c, MEMBER, "go", "Oversight is sound", "v4")
    yield from _mvp(p, c)
    if o == "mvp":
        return
    yield "mvp", gates.RequestGateReview(initiative_id=i, at=c.tick(), actor=owner)
    yield "mvp", _vote(i, c, CHAIR, "go", "Ready for production", "v5")
    yield "mvp", _vote(i, c, MEMBER, "go", "Documentation complete", "v6")
    value = p.baseline if o == "breached" else _on_target(p)
    yield from _measure("mvp", p, c, [_on_target(p), value], "prod")


def _vote(  # noqa: PLR0917
    i: str,
    c: Clock,
    who: Actor,
    decision: gates.Decision,
    why: str,
    vote_id: str = "v1",
    conditions: tuple[Condition, ...] = (),
) -> gates.DecideGate:
    return gates.DecideGate(
        initiative_id=i,
        at=c.tick(2),
        actor=who,
        vote_id=f"{vote_id}-{decision}",
        decision=decision,
        rationale=why,
        conditions=conditions,
    )


def _ideation(p: Profile, c: Clock) -> Iterator[Step]:
    owner = owner_of(p)
    i = p.initiative_id
    yield (
        "ideation",
        ideation.ProposeIdea(
            initiative_id=i,
            at=c.tick(0),
            actor=owner,
            title=p.title,
            problem_statement=p.problem,
            business_goal=p.goal,
            sponsor=p.sponsor,
            owner=p.owner,
            owner_account=p.owner_account,
            team=tuple(m.name for m in p.team),
            team_members=p.team,
            ai_category=p.category,
            tags=p.tags,
        ),
    )
    yield (
        "ideation",
        ideation.HoldWorkshop(
            initiative_id=i,
            at=c.tick(),
            actor=CONTRIBUTOR,
            workshop_id="w1",
            held_on=date(c.now.year, c.now.month, c.now.day),
            participants=("Olivia", "Carlos", "Sabine"),
            outcome="Use case and data needs agreed",
        ),
    )
    yield (
        "ideation",
        ideation.ScoreIdea(
            initiative_id=i,
            at=c.tick(),
            actor=CONTRIBUTOR,
            value=p.scores[0],
            feasibility=p.scores[1],
            risk=p.scores[2],
            strategic_fit=p.scores[3],
        ),
    )
    yield (
        "ideation",
        ideation.DecideSourcing(
            initiative_id=i,
            at=c.tick(),
            actor=owner,
            sourcing="build",
            rationale="Core capability, our own data",
        ),
    )
    yield (
        "ideation",
        ideation.PreclassifyRisk(
            initiative_id=i,
            at=c.tick(),
            actor=owner,
            risk_class=p.risk,
            rationale=f"Pre-classified {p.risk} under the EU AI Act",
        ),
    )


def _poc(p: Profile, c: Clock, *, validated: bool) -> Iterator[Step]:
    owner = owner_of(p)
    i, who = p.initiative_id, CONTRIBUTOR
    yield (
        "poc",
        poc.AddHypothesis(
            initiative_id=i,
            at=c.tick(2),
            actor=who,
            hypothesis_id="h1",
            statement=f"The model improves {p.kpi.lower()}",
            metric=p.kpi,
            comparator=">=" if p.direction == "higher" else "<=",
            threshold=p.target,
        ),
    )
    yield (
        "poc",
        poc.ConfirmDataSource(
            initiative_id=i,
            at=c.tick(),
            actor=who,
            source_id="ds1",
            name="Historic records",
        ),
    )
    yield (
        "poc",
        poc.ChooseModel(
            initiative_id=i,
            at=c.tick(),
            actor=who,
            choice="Fine-tuned open model",
            rationale="Runs on our infrastructure",
        ),
    )
    yield (
        "poc",
        poc.ConfirmRiskClass(
            initiative_id=i,
            at=c.tick(),
            actor=owner,
            risk_class=p.risk,
            rationale="Confirmed with the legal team",
        ),
    )
    yield (
        "poc",
        poc.RecordResult(
            initiative_id=i,
            at=c.tick(3),
            actor=who,
            hypothesis_id="h1",
            value=_on_target(p) if validated else p.baseline,
            evidence_link="https://wiki.example.com/poc/results",
        ),
    )


def _pilot(p: Profile, c: Clock, *, on_target: bool) -> Iterator[Step]:
    owner = owner_of(p)
    i = p.initiative_id
    yield (
        "pilot",
        pilot.DefineScope(
            initiative_id=i,
            at=c.tick(2),
            actor=owner,
            user_group="First-level support",
            sites=("Berlin", "Vienna"),
            planned_weeks=8,
        ),
    )
    yield (
        "pilot",
        pilot.DefineKpi(
            initiative_id=i,
            at=c.tick(),
            actor=owner,
            kpi_id="k1",
            name=p.kpi,
            unit=p.unit,
            baseline=p.baseline,
            target=p.target,
            direction=p.direction,
            importance="must",
        ),
    )
    yield (
        "pilot",
        pilot.DesignOversight(
            initiative_id=i,
            at=c.tick(),
            actor=owner,
            override_by=("Team lead",),
            decision_boundaries="The AI proposes, a person approves",
            escalation_path="Team lead, then the AI manager",
            accountable=p.owner,
        ),
    )
    yield (
        "pilot",
        pilot.RecordFeedback(
            initiative_id=i,
            at=c.tick(),
            actor=CONTRIBUTOR,
            feedback_id="f1",
            summary="Users like the suggestions",
            sentiment="positive",
        ),
    )
    step = (_on_target(p) - p.baseline) / 3
    values = [p.baseline + step * (n + 1) for n in range(3)] if on_target else [p.baseline] * 3
    yield from _measure("pilot", p, c, values, "m")


def _mvp(p: Profile, c: Clock) -> Iterator[Step]:
    owner = owner_of(p)
    i = p.initiative_id
    kinds: list[mvp.DocumentKind] = [
        "model_card",
        "decision_logic",
        "data_sheet",
        "dpia",
        "runbook",
    ]
    for kind in kinds:
        yield (
            "mvp",
            mvp.RecordDocument(
                initiative_id=i,
                at=c.tick(2),
                actor=CONTRIBUTOR,
                document_id=f"doc-{kind}",
                kind=kind,
                link=f"https://docs.example.com/{i}/{kind}",
                author="Carlos",
            ),
        )
    yield (
        "mvp",
        mvp.ConfigureMonitoring(
            initiative_id=i,
            at=c.tick(),
            actor=owner,
            owner=p.owner,
            metrics=(mvp.MonitoredMetric(name=p.kpi, threshold=p.target),),
        ),
    )
    yield from _measure("mvp", p, c, [_on_target(p)], "mv")


def _measure(stage: str, p: Profile, c: Clock, values: list[float], prefix: str) -> Iterator[Step]:
    for n, value in enumerate(values):
        yield (
            stage,
            kpis.RecordMeasurement(
                initiative_id=p.initiative_id,
                at=c.tick(),
                actor=KPI_BOT,
                kpi_id="k1",
                measurement_id=f"{prefix}{n}",
                value=round(value, 2),
                source="kpi-agent",
            ),
        )


def _on_target(p: Profile) -> float:
    better = abs(p.target - p.baseline) * 0.1
    return p.target + better if p.direction == "higher" else p.target - better
