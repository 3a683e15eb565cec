"""Stage services and projection as real processes, driven by real commands over NATS."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta

import nats
import pytest

from infra.db import create_pool
from infra.driver import Driver
from infra.settings import Settings
from launch.demo import planned
from launch.demo_portfolio import profiles
from services.journeys import Outcome, Profile
from services.projection import queries
from services.projection.rebuild import rebuild
from tests.integration.bus import eventually
from tests.integration.test_projection import bus, drained, snapshot  # noqa: F401
from tests.stack import Stack

pytestmark = pytest.mark.asyncio(loop_scope="session")
EXTRA: list[Outcome] = ["launched", "killed_g2", "recycled_g3", "held", "conditional", "pilot"]


def mixed_portfolio() -> list[Profile]:
    tag = uuid.uuid4().hex[:6]
    demo = [Profile(**{**_fields(p), "initiative_id": f"{p.initiative_id}-{tag}"})
            for p in profiles()]  # fmt: skip
    extra = [Profile(initiative_id=f"x{n}-{tag}", title=f"Extra {o}", problem="p", goal="g",
                     outcome=o) for n, o in enumerate(EXTRA)]  # fmt: skip
    return demo + extra


def _fields(p: Profile) -> dict[str, object]:
    return {f: getattr(p, f) for f in p.__struct_fields__}


async def test_live_read_models_of_a_real_portfolio_equal_a_rebuild_after_a_sigkill(
    bus: Settings,  # noqa: F811
):
    stack = Stack(bus)
    await stack.start("ideation", "poc", "pilot", "mvp", "projection")
    nc = await nats.connect(bus.nats_url)
    js = nc.jetstream()
    pool = await create_pool(bus.database_url)
    driver = Driver(nc, bus.subjects, open_timeout=30)
    now = datetime.now(UTC)
    initiatives = mixed_portfolio()
    assert len(initiatives) >= 30

    async def run(index: int, p: Profile) -> None:
        for stage, command in planned(p, index, now):
            await driver.step(stage, command)  # type: ignore[arg-type]

    first, second = initiatives[:15], initiatives[15:]
    await asyncio.gather(*(run(i, p) for i, p in enumerate(first)))
    await stack.kill("projection")  # mid-stream: more commands arrive while it is down
    await asyncio.gather(*(run(i + 15, p) for i, p in enumerate(second)))
    await stack.start("projection")
    await eventually(lambda: drained(js, bus), timeout=90, what="all events acknowledged")

    live = await snapshot(pool)
    assert len(live[1]) == live[2], "an event was applied twice or tracked without applying"
    page = await queries.list_initiatives(pool, limit=100)
    assert page.total == len(initiatives)
    statuses = {s.initiative_id: s.status for s in page.items}
    assert {statuses[p.initiative_id] for p in initiatives} == {
        "active",
        "in_review",
        "killed",
        "launched",
    }
    await rebuild(bus)
    assert await snapshot(pool) == live
    await stack.stop_all()
    await pool.close()
    await nc.close()


async def test_the_state_between_two_real_gate_decisions_shows_the_earlier(
    bus: Settings,  # noqa: F811
):
    stack = Stack(bus)
    await stack.start("ideation", "poc", "pilot", "mvp", "projection")
    nc = await nats.connect(bus.nats_url)
    pool = await create_pool(bus.database_url)
    p = Profile(initiative_id=str(uuid.uuid4()), title="Time travel", problem="p", goal="g")
    steps = planned(p, 10, datetime.now(UTC))
    replies = await Driver(nc, bus.subjects).run(steps)  # type: ignore[arg-type]
    assert await queries.wait_for_position(pool, max(r.position or 0 for r in replies), 20)
    detail = await queries.get_initiative(pool, p.initiative_id)
    assert detail is not None and detail.summary.status == "launched"
    decisions = [r.decision for r in detail.gates.reviews if r.decision]
    g1, g2 = decisions[0].at, decisions[1].at
    between = await queries.get_initiative(pool, p.initiative_id, as_of=g1 + (g2 - g1) / 2)
    assert between is not None and between.summary.last_decision is not None
    assert (between.summary.last_decision.gate, between.summary.stage) == ("G1", "poc")
    before = await queries.get_initiative(pool, p.initiative_id, as_of=g1 - timedelta(seconds=1))
    assert before is not None and before.summary.stage == "ideation"
    then = await queries.list_initiatives(pool, q=p.initiative_id, as_of=g1 + (g2 - g1) / 2)
    assert [(s.stage, s.status) for s in then.items] == [("poc", "active")]
    assert then.items[0].readiness_percent is not None  # readiness for G2 at that time
    assert (await queries.list_initiatives(pool, q=p.initiative_id, stage="pilot",
                                           as_of=g1 + (g2 - g1) / 2)).total == 0  # fmt: skip
    await stack.stop_all()
    await pool.close()
    await nc.close()
