"""Two replicas of one stage service share its schema and its requests correctly."""

from __future__ import annotations

import asyncio
import json
import uuid
from datetime import UTC, date, datetime

import nats
import pytest

from events import ideation
from infra.db import create_pool
from infra.driver import Driver
from infra.settings import Settings
from services.journeys import CONTRIBUTOR, OWNER
from tests.integration.bus import eventually
from tests.stack import start_stack

pytestmark = pytest.mark.asyncio(loop_scope="session")


async def test_two_replicas_answer_200_commands_once_each_without_losing_a_change(
    settings: Settings,
):
    stack = await start_stack(settings, ["ideation", "ideation#2"])
    nc = await nats.connect(settings.nats_url)
    ping = f"$SRV.PING.{settings.subjects.service('ideation')}"

    async def both_up() -> bool:
        return len(await all_replies(nc, ping)) == 2

    await eventually(both_up, what="both replicas to answer a ping")
    driver = Driver(nc, settings.subjects)
    ids = [str(uuid.uuid4()) for _ in range(20)]
    now = datetime.now(UTC)
    try:
        await asyncio.gather(*(driver.step("ideation", ideation.ProposeIdea(
            initiative_id=i, at=now, actor=OWNER, title="Shared", problem_statement="p",
            business_goal="g", sponsor="s", owner="o",
        )) for i in ids))  # fmt: skip
        workshops = [
            ideation.HoldWorkshop(
                initiative_id=i,
                at=now,
                actor=CONTRIBUTOR,
                workshop_id=f"w{n}",
                held_on=date.today(),
                participants=("a",),
                outcome="ok",
            )
            for i in ids
            for n in range(9)
        ]
        replies = await asyncio.gather(*(driver.step("ideation", w) for w in workshops))
        stats = await all_replies(nc, f"$SRV.STATS.{settings.subjects.service('ideation')}")
    finally:
        await stack.stop_all()
        await nc.close()

    assert len(replies) + len(ids) == 200
    assert all(r.ok and len(r.event_ids) == 1 for r in replies)
    pool = await create_pool(settings.database_url)
    rows = await pool.fetch(
        "SELECT stream_id, array_agg(version ORDER BY version) AS versions "
        "FROM ideation.events WHERE stream_id = ANY($1) GROUP BY stream_id",
        ids,
    )
    await pool.close()
    assert {r["stream_id"]: r["versions"] for r in rows} == {i: list(range(1, 11)) for i in ids}
    served = [sum(e["num_requests"] for e in s["endpoints"]) for s in stats]
    assert len(served) == 2, "expected both replicas to answer $SRV.STATS"
    assert all(n > 0 for n in served), f"one replica did all the work: {served}"
    assert sum(served) == 200, "a command was answered twice or not at all"


async def all_replies(nc: nats.NATS, subject: str) -> list[dict]:
    """Every instance's answer to a discovery request."""
    inbox = nc.new_inbox()
    sub = await nc.subscribe(inbox)
    await nc.publish(subject, b"", reply=inbox)
    replies = []
    try:
        while True:
            replies.append(json.loads((await sub.next_msg(timeout=0.5)).data))
    except nats.errors.TimeoutError:
        pass
    await sub.unsubscribe()
    return replies
