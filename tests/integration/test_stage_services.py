"""The four stage services as real processes, driven only through NATS requests."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import msgspec
import nats
import pytest
import pytest_asyncio

from events import production
from events.envelope import CLOUDEVENT_DECODER, CloudEvent
from infra.driver import Driver
from infra.settings import Settings
from services.journeys import CHAIR, Clock, Outcome, Profile, journey
from tests.integration.bus import eventually
from tests.stack import Stack, start_stack

pytestmark = pytest.mark.asyncio(loop_scope="session")
STAGES = ["ideation", "poc", "pilot", "mvp"]


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def stack(settings: Settings) -> AsyncIterator[Stack]:
    stack = await start_stack(settings, STAGES)
    yield stack
    await stack.stop_all()


@pytest_asyncio.fixture(loop_scope="session")
async def nc(settings: Settings) -> AsyncIterator[nats.NATS]:
    client = await nats.connect(settings.nats_url)
    yield client
    await client.close()


def profile(outcome: Outcome) -> Profile:
    return Profile(
        initiative_id=str(uuid.uuid4()),
        title=f"Initiative {outcome}",
        problem="Slow work",
        goal="Faster work",
        outcome=outcome,
    )


async def drive(nc: nats.NATS, settings: Settings, outcome: Outcome) -> str:
    p = profile(outcome)
    clock = Clock(datetime.now(UTC) - timedelta(days=30), timedelta(hours=1))
    await Driver(nc, settings.subjects).run(journey(p, clock))
    return p.initiative_id


async def published(nc: nats.NATS, settings: Settings, initiative_id: str) -> list[CloudEvent]:
    """Every event of one initiative on the stream, in stream order."""
    js = nc.jetstream()
    sub = await js.subscribe(
        f"{settings.subject_root}.events.*.*.{initiative_id}",
        stream=settings.stream,
        ordered_consumer=True,
    )
    events = []
    try:
        while True:
            msg = await sub.next_msg(timeout=0.5)
            events.append(CLOUDEVENT_DECODER.decode(msg.data))
    except nats.errors.TimeoutError:
        pass
    await sub.unsubscribe()
    return events


def names(events: list[CloudEvent]) -> list[str]:
    return [e.type.split(".")[2] + "." + e.type.split(".")[3] for e in events]


def decisions(events: list[CloudEvent]) -> list[tuple[str, str]]:
    out = []
    for e in events:
        if e.type.endswith(".gate_decided.v1"):
            data = msgspec.json.decode(e.data)
            out.append((data["gate"], data["decision"]))
    return out


async def test_an_idea_travels_to_launch_opening_each_stage_once_in_order(stack, nc, settings):
    iid = await drive(nc, settings, "launched")
    events = await published(nc, settings, iid)

    opened = [n for n in names(events) if n.endswith("_opened")]
    assert opened == ["poc.poc_opened", "pilot.pilot_opened", "mvp.mvp_opened"]
    assert decisions(events) == [("G1", "go"), ("G2", "go"), ("G3", "go"), ("G4", "go")]
    by_id = {e.id: e for e in events}
    for stage, previous in (("poc", "ideation"), ("pilot", "poc"), ("mvp", "pilot")):
        opening = next(e for e in events if e.type == f"io.tollgate.{stage}.{stage}_opened.v1")
        cause = by_id[opening.causationid or ""]
        assert cause.type == f"io.tollgate.{previous}.gate_decided.v1"
    assert "production.kpi_measured" in names(events)


async def test_an_initiative_killed_at_g2_never_reaches_the_pilot(stack, nc, settings):
    iid = await drive(nc, settings, "killed_g2")
    events = await published(nc, settings, iid)
    assert decisions(events) == [("G1", "go"), ("G2", "kill")]
    assert not [n for n in names(events) if n.startswith("pilot.")]


async def test_an_initiative_recycled_at_g3_passes_later_and_opens_the_mvp_once(
    stack, nc, settings
):
    iid = await drive(nc, settings, "recycled_g3")
    events = await published(nc, settings, iid)
    assert decisions(events)[2:] == [("G3", "recycle"), ("G3", "go"), ("G4", "go")]
    assert names(events).count("mvp.mvp_opened") == 1


async def test_an_initiative_held_and_resumed_goes_on_in_the_same_stage(stack, nc, settings):
    iid = await drive(nc, settings, "held")
    events = await published(nc, settings, iid)
    assert decisions(events) == [("G1", "hold"), ("G1", "go")]
    assert "ideation.initiative_resumed" in names(events)
    assert names(events).count("poc.poc_opened") == 1


async def test_a_breach_in_production_raises_a_re_review(stack, nc, settings):
    iid = await drive(nc, settings, "breached")
    events = await published(nc, settings, iid)
    assert "production.kpi_breached" in names(events)
    assert "production.re_review_requested" in names(events)
    retire = production.DecideReReview(
        initiative_id=iid,
        at=datetime.now(UTC),
        actor=CHAIR,
        decision="retire",
        rationale="The KPI will not recover",
    )
    await Driver(nc, settings.subjects).step("mvp", retire)
    again = production.DecideReReview(
        initiative_id=iid,
        at=datetime.now(UTC),
        actor=CHAIR,
        decision="continue",
        rationale="changed my mind",
    )
    reply = await Driver(nc, settings.subjects).send("mvp", again)
    assert reply.error is not None and "no re-review is open" in reply.error.detail
    assert names(await published(nc, settings, iid))[-1] == "production.re_review_decided"


async def test_a_handoff_pending_while_its_service_is_down_happens_once_after_restart(
    stack, nc, settings
):
    await stack.stop("poc")
    p = profile("poc")
    steps = journey(p, Clock(datetime.now(UTC), timedelta(minutes=1)))
    ideation_steps = [s for s in steps if s[0] == "ideation"]
    await Driver(nc, settings.subjects).run(ideation_steps)
    assert "poc.poc_opened" not in names(await published(nc, settings, p.initiative_id))

    await stack.start("poc")

    async def opened_once() -> bool:
        return names(await published(nc, settings, p.initiative_id)).count("poc.poc_opened") == 1

    await eventually(opened_once, what="the PoC to open after the restart")


async def test_a_redelivered_gate_decision_opens_nothing_twice(stack, nc, settings):
    iid = await drive(nc, settings, "poc")
    events = await published(nc, settings, iid)
    decided = next(e for e in events if e.type == "io.tollgate.ideation.gate_decided.v1")
    subject = f"{settings.subject_root}.events.ideation.gate_decided.{iid}"
    await nc.jetstream().publish(
        subject, msgspec.json.encode(decided), headers={"Nats-Msg-Id": str(uuid.uuid4())}
    )
    marker = await drive(nc, settings, "poc")  # handled after the redelivery, in order

    async def marker_opened() -> bool:
        return "poc.poc_opened" in names(await published(nc, settings, marker))

    await eventually(marker_opened, what="a later PoC to open")
    assert names(await published(nc, settings, iid)).count("poc.poc_opened") == 1
