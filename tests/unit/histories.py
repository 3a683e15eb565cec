"""Actors, clock and ready-made event histories the decider tests start from."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from events import gates, ideation, mvp, pilot, poc
from events.base import Actor, Event
from events.criteria import CURRENT_VERSION
from events.gates import Condition, Handoff, RiskClass
from events.kpis import KpiDefinition
from events.people import Person

ID = "init-1"
AT = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)
OWNER = Actor(id="olga", name="Olga", roles=("owner",))
TEAM_OWNER = Actor(id="tess", name="Tess", roles=("owner",))  # an owner on Olga's team
OTHER_OWNER = Actor(id="otto", name="Otto", roles=("owner",))  # owns other initiatives
ADMIN = Actor(id="ada", name="Ada", roles=("admin",))
TEAM = (Person(name="Carl", account="carl"), Person(name="Tess", account="tess"),
        Person(name="Sam"))  # fmt: skip
CONTRIBUTOR = Actor(id="carl", name="Carl", roles=("contributor",))
VIEWER = Actor(id="vera", name="Vera", roles=("viewer",))
AGENT = Actor(id="kpi-bot", name="KPI bot", kind="agent", roles=("contributor", "committee"))
CHAIR = Actor(id="cara", name="Cara", roles=("committee",))
MEMBER = Actor(id="cole", name="Cole", roles=("committee",))
CONDITION = Condition(condition_id="c-1", text="Works council consulted")


def at(minutes: int) -> datetime:
    return AT + timedelta(minutes=minutes)


def proposed() -> list[Event]:
    return [
        ideation.IdeaProposed(
            initiative_id=ID, at=AT, title="Invoice triage", problem_statement="Slow triage",
            business_goal="Halve triage time", sponsor="Sam", owner="Olga",
            team=("Carl", "Tess", "Sam"), ai_category="classification", tags=("finance",),
            owner_account="olga", team_members=TEAM,
        )
    ]  # fmt: skip


def ready_for_g1() -> list[Event]:
    return [
        *proposed(),
        ideation.IdeaScored(
            initiative_id=ID, at=AT, value=4, feasibility=4, risk=2, strategic_fit=4, priority=4.0
        ),
        ideation.SourcingDecided(initiative_id=ID, at=AT, sourcing="build", rationale="Core"),
        ideation.RiskPreclassified(initiative_id=ID, at=AT, risk_class="limited", rationale="HR"),
    ]


def review(kit: gates.GateEvents) -> list[Event]:
    return [
        kit.review_requested(
            initiative_id=ID, at=AT, gate=kit.gate, requested_by=OWNER.id,
            criteria_version=CURRENT_VERSION,
        )
    ]  # fmt: skip


def decided(kit: gates.GateEvents, decision: gates.Decision, *conditions: Condition) -> list[Event]:
    return [
        kit.decided(
            initiative_id=ID, at=AT, gate=kit.gate, decision=decision, rationale="Because",
            conditions=conditions, decided_by=(CHAIR.id,), criteria_version=CURRENT_VERSION,
            quorum=1,
        )
    ]  # fmt: skip


def handoff(
    *conditions: Condition, kpis: tuple[KpiDefinition, ...] = (), risk: RiskClass = "limited"
) -> Handoff:
    return Handoff(
        title="Invoice triage", owner="Olga", sponsor="Sam", risk_class=risk,
        kpis=kpis, open_conditions=conditions, accountable="Olga", owner_account="olga",
        team_members=TEAM,
    )  # fmt: skip


def poc_opened(*conditions: Condition) -> list[Event]:
    return [poc.PocOpened(initiative_id=ID, at=AT, handoff=handoff(*conditions))]


def ready_for_g2(*conditions: Condition) -> list[Event]:
    return [
        *poc_opened(*conditions),
        poc.HypothesisAdded(
            initiative_id=ID, at=AT, hypothesis_id="h-1", statement="Model beats rules",
            metric="accuracy", comparator=">=", threshold=0.9,
        ),
        poc.ExperimentResultRecorded(
            initiative_id=ID, at=AT, hypothesis_id="h-1", value=0.93,
            evidence_link="https://wiki/h1", validated=True,
        ),
        poc.DataSourceConfirmed(initiative_id=ID, at=AT, source_id="erp", name="ERP"),
        poc.RiskClassConfirmed(initiative_id=ID, at=AT, risk_class="limited", rationale="Checked"),
    ]  # fmt: skip


TRIAGE_TIME = KpiDefinition(
    kpi_id="k-1", name="Triage time", unit="min", baseline=20, target=10, direction="lower"
)


def pilot_opened(*conditions: Condition) -> list[Event]:
    return [pilot.PilotOpened(initiative_id=ID, at=AT, handoff=handoff(*conditions))]


def measurements(
    stage: type[pilot.KpiMeasured] | type[mvp.KpiMeasured], *values: float
) -> list[Event]:
    return [
        stage(initiative_id=ID, at=at(i), kpi_id="k-1", measurement_id=f"m-{i}", value=v)
        for i, v in enumerate(values)
    ]


def ready_for_g3(*conditions: Condition) -> list[Event]:
    return [
        *pilot_opened(*conditions),
        pilot.KpiDefined(initiative_id=ID, at=AT, kpi=TRIAGE_TIME),
        *measurements(pilot.KpiMeasured, 12, 9, 8),
        pilot.OversightDesigned(
            initiative_id=ID, at=AT, override_by=("Team lead",), decision_boundaries="< 10k EUR",
            escalation_path="Finance lead", accountable="Olga",
        ),
    ]  # fmt: skip


def mvp_opened(*conditions: Condition, risk: RiskClass = "limited") -> list[Event]:
    h = handoff(*conditions, kpis=(TRIAGE_TIME,), risk=risk)
    return [mvp.MvpOpened(initiative_id=ID, at=AT, handoff=h)]


def ready_for_g4(*conditions: Condition, risk: RiskClass = "limited") -> list[Event]:
    docs: tuple[tuple[str, mvp.DocumentKind], ...] = (("d-1", "model_card"), ("d-2", "runbook"))
    return [
        *mvp_opened(*conditions, risk=risk),
        *[
            mvp.DocumentRecorded(
                initiative_id=ID, at=AT, document_id=d, kind=k, version=1, link="https://d",
                author="Carl",
            )
            for d, k in docs
        ],
        mvp.MonitoringConfigured(
            initiative_id=ID, at=AT, metrics=(mvp.MonitoredMetric(name="drift", threshold=0.2),),
            owner="Olga",
        ),
        *measurements(mvp.KpiMeasured, 9),
    ]  # fmt: skip


WORKSHOP_DAY = date(2025, 2, 20)
