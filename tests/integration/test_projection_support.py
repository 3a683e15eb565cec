"""A mixed portfolio of lifecycle events, published as CloudEvents the way the relay does.

No tests here: the projection's integration tests and benchmark import it.
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from itertools import zip_longest
from typing import Any

import msgspec
import nats

from events import gates, ideation, mvp, pilot, poc, production
from events.base import event_tag, type_parts
from events.envelope import CloudEvent
from events.kpis import KpiDefinition
from infra.db import connect
from infra.settings import Settings
from tests.integration.bus import own_bus

START = datetime(2025, 1, 1, tzinfo=UTC)
OUTCOMES = ("in_ideation", "review_g1", "kill_g1", "hold_g1", "kill_g2", "pilot_running",
            "conditional_g3", "launched", "recycle_g2")  # fmt: skip
GATE_KIT = {"G1": ideation.GATE, "G2": poc.GATE, "G3": pilot.GATE, "G4": mvp.GATE}


def at(i: int, day: float) -> datetime:
    return START + timedelta(days=day, minutes=i)


def _gate(iid: str, i: int, gate: str, day: float, decision: str) -> list[Any]:
    kit = GATE_KIT[gate]
    conds = (gates.Condition(condition_id=f"c{gate}", text="fix it"),)
    conds = conds if decision == "conditional_go" else ()
    h = gates.Handoff(
        title=f"Idea {i}", owner=f"owner{i % 5}", sponsor="cfo", open_conditions=conds
    )
    return [
        kit.review_requested(initiative_id=iid, at=at(i, day), gate=gate, requested_by="ana",
                             criteria_version="2025.1"),
        kit.vote_cast(initiative_id=iid, at=at(i, day + 1), gate=gate, vote_id=f"{gate}v",
                      voter="cora", decision=decision, rationale="r", conditions=conds),
        kit.decided(initiative_id=iid, at=at(i, day + 1), gate=gate, decision=decision,
                    rationale=f"{decision} at {gate}", conditions=conds, decided_by=("cora",),
                    criteria_version="2025.1", quorum=1,
                    handoff=h if decision in ("go", "conditional_go") else None),
    ]  # fmt: skip


def _ideation(iid: str, i: int) -> list[Any]:
    return [
        ideation.IdeaProposed(initiative_id=iid, at=at(i, 0), title=f"Idea {i}",
                              problem_statement="p", business_goal="g", sponsor="cfo",
                              owner=f"owner{i % 5}", tags=("t",)),
        ideation.IdeaScored(initiative_id=iid, at=at(i, 1), value=4, feasibility=3, risk=2,
                            strategic_fit=4, priority=3.8),
        ideation.RiskPreclassified(initiative_id=iid, at=at(i, 1), risk_class="limited",
                                   rationale="r"),
    ]  # fmt: skip


def _pilot(iid: str, i: int, measurements: int) -> list[Any]:
    kpi = KpiDefinition(kpi_id="k1", name="Accuracy", unit="%", baseline=50, target=80)
    opened = pilot.PilotOpened(initiative_id=iid, at=at(i, 20), handoff=gates.Handoff(
        title=f"Idea {i}", owner=f"owner{i % 5}", sponsor="cfo"))  # fmt: skip
    return [opened, pilot.KpiDefined(initiative_id=iid, at=at(i, 21), kpi=kpi)] + [
        pilot.KpiMeasured(initiative_id=iid, at=at(i, 22 + m), kpi_id="k1",
                          measurement_id=f"m{m}", value=60 + 5 * m)
        for m in range(measurements)
    ]  # fmt: skip


def initiative(i: int, outcome: str, measurements: int = 5) -> list[Any]:
    iid = f"init-{i:05d}"
    events = _ideation(iid, i)
    if outcome == "in_ideation":
        return events
    decision = {"review_g1": None, "kill_g1": "kill", "hold_g1": "hold"}.get(outcome, "go")
    events += _gate(iid, i, "G1", 3, decision)[: 1 if decision is None else 3]
    if outcome in ("review_g1", "kill_g1", "hold_g1"):
        return events
    opened = poc.PocOpened(initiative_id=iid, at=at(i, 4), handoff=gates.Handoff(
        title=f"Idea {i}", owner=f"owner{i % 5}", sponsor="cfo"))  # fmt: skip
    events.append(opened)
    if outcome in ("kill_g2", "recycle_g2"):
        return events + _gate(iid, i, "G2", 10, outcome[:-3])
    events += _gate(iid, i, "G2", 10, "go") + _pilot(iid, i, measurements)
    if outcome == "pilot_running":
        return events
    events += _gate(iid, i, "G3", 40, "conditional_go")
    events.append(mvp.MvpOpened(initiative_id=iid, at=at(i, 42), handoff=gates.Handoff(
        title=f"Idea {i}", owner=f"owner{i % 5}", sponsor="cfo")))  # fmt: skip
    if outcome == "conditional_g3":
        return events
    events.append(mvp.ConditionFulfilled(initiative_id=iid, at=at(i, 50), condition_id="cG3",
                                         fulfilled_by="ana"))  # fmt: skip
    events += _gate(iid, i, "G4", 60, "go")
    events.append(production.KpiMeasured(initiative_id=iid, at=at(i, 70), kpi_id="k1",
                                         measurement_id="p1", value=85))  # fmt: skip
    return events


def envelopes(events: list[Any]) -> list[CloudEvent]:
    """Wrap one initiative's events, numbering each stage's stream as its store does."""
    versions: dict[str, int] = {}
    out = []
    for e in events:
        tag = event_tag(e)
        stream = "mvp" if type_parts(tag)[0] == "production" else type_parts(tag)[0]
        versions[stream] = versions.get(stream, 0) + 1
        out.append(CloudEvent(
            specversion="1.0", id=str(uuid.uuid4()), source=f"/tollgate/{type_parts(tag)[0]}",
            type=tag, subject=e.initiative_id, time=e.at, data=msgspec.Raw(msgspec.json.encode(e)),
            actor="ana", streamversion=versions[stream],
        ))  # fmt: skip
    return out


def portfolio(n: int, measurements: int = 5) -> Iterator[CloudEvent]:
    """n initiatives across every outcome, their streams interleaved as a busy system would."""
    streams = [
        envelopes(initiative(i, OUTCOMES[i % len(OUTCOMES)], measurements)) for i in range(n)
    ]
    for batch in zip_longest(*streams):
        yield from (ce for ce in batch if ce is not None)


def subject(settings: Settings, ce: CloudEvent) -> str:
    stage, name, _ = type_parts(ce.type)
    return settings.subjects.event(stage, name, ce.subject)


async def publish(js: Any, settings: Settings, events: list[CloudEvent]) -> int:
    """Publish in order; returns the last stream sequence."""
    last = 0
    for ce in events:
        ack = await js.publish(subject(settings, ce), msgspec.json.encode(ce),
                               headers={"Nats-Msg-Id": ce.id})  # fmt: skip
        last = ack.seq
    return last


@contextlib.asynccontextmanager
async def own_projection(
    settings: Settings, dropped: str = "projection, projection_next"
) -> AsyncIterator[Settings]:
    """A stream of the test's own, its read-model schemas `dropped` first; the stream is
    deleted after."""
    own = own_bus(settings)
    conn = await connect(own.database_url)
    await conn.execute(f"DROP SCHEMA IF EXISTS {dropped} CASCADE")
    await conn.close()
    yield own
    nc = await nats.connect(own.nats_url)
    await nc.jetstream().delete_stream(own.stream)
    await nc.close()
