"""The trend radar through the HTTP API with every service as a real process: a trend is
added, moved with a rationale and linked to a real initiative; `as_of` before the move
shows the old ring; the rules answer with clear problems; and `tollgate projection
rebuild` leaves the radar's tables as the live projection wrote them (and applying every
trend event again changes nothing)."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime
from typing import Any

import msgspec
import nats
import pytest

from events.envelope import CloudEvent
from infra.db import Pool, create_pool
from services.projection import queries, trends_store
from services.projection.rebuild import rebuild
from tests.integration.api_stack import Api, api
from tests.integration.bus import eventually
from tests.integration.test_api_lifecycle import IDEA

pytestmark = pytest.mark.asyncio(loop_scope="session")
__all__ = ["api"]
TREND = {
    "name": "Retrieval-augmented generation tooling",
    "description": "Libraries and services that ground answers in our own documents.",
    "quadrant": "tools", "ring": "assess", "maturity": "growing",
    "risks": ["stale indexes"], "dependencies": ["document store"],
}  # fmt: skip
MOVE = {"ring": "trial", "rationale": "Two PoCs grounded answers well; pilot it in claims."}


async def trend(api: Api, trend_id: str, position: int | None, **params: Any) -> dict[str, Any]:
    response = await api.get(f"/trends/{trend_id}", min_position=position or 0, **params)
    assert response.status_code == 200, response.text
    found: dict[str, Any] = response.json()
    return found


async def radar(api: Api, **params: Any) -> dict[str, str]:
    response = await api.get("/trends", **params)
    assert response.status_code == 200, response.text
    return {t["trend_id"]: t["ring"] for t in response.json()["items"]}


async def test_a_trend_is_added_moved_with_a_rationale_and_linked_and_as_of_shows_the_old_ring(
    api: Api,
):
    idea = await api.ok("/initiatives", "contributor", IDEA)
    before_add = datetime.now(UTC)
    added = await api.ok("/trends", "contributor", TREND)
    tid = added["id"]
    assert (await trend(api, tid, added["position"]))["ring"] == "assess"
    before_move = datetime.now(UTC)
    moved = await api.ok(f"/trends/{tid}/moves", "committee", MOVE)
    body = {"initiative_id": idea["id"], "min_position": idea["position"]}
    linked = await api.ok(f"/trends/{tid}/links", "owner", body)
    again = await api.ok(f"/trends/{tid}/links", "contributor", body)
    assert again["version"] == linked["version"] == 3  # linking twice is a no-op

    now = await trend(api, tid, max(moved["position"], linked["position"]))
    assert now["ring"] == "trial"
    assert [(m["from_ring"], m["to_ring"], m["rationale"], m["actor"]) for m in now["moves"]] == [
        ("assess", "trial", MOVE["rationale"], "committee")
    ]
    assert now["linked"] == [
        {"initiative_id": idea["id"], "title": IDEA["title"], "stage": "ideation",
         "status": "active"}
    ]  # fmt: skip
    assert (await radar(api, ring="trial", quadrant="tools"))[tid] == "trial"
    assert tid not in await radar(api, ring="assess")
    assert (await radar(api, as_of=before_move.isoformat()))[tid] == "assess"
    assert tid not in await radar(api, as_of=before_add.isoformat())
    then = await trend(api, tid, None, as_of=before_move.isoformat())
    assert (then["ring"], then["moves"]) == ("assess", [])


async def test_a_trend_is_edited_and_unlinked_and_as_of_still_shows_the_link(api: Api):
    idea = await api.ok("/initiatives", "contributor", IDEA)
    tid = (await api.ok("/trends", "committee", {**TREND, "name": "Speech models"}))["id"]
    body = {"initiative_id": idea["id"], "min_position": idea["position"]}
    linked = await api.ok(f"/trends/{tid}/links", "contributor", body)
    await trend(api, tid, linked["position"])
    while_linked = datetime.now(UTC)
    edit = await api.http.patch(f"/trends/{tid}", headers=api.headers("owner"),
                                json={"maturity": "mature", "risks": []})  # fmt: skip
    assert edit.status_code == 200, edit.text
    gone = await api.delete(f"/trends/{tid}/links/{idea['id']}", "contributor")
    assert gone.status_code == 200, gone.text
    now = await trend(api, tid, gone.json()["position"])
    assert (now["maturity"], now["risks"], now["linked"], now["ring"]) == (
        "mature",
        [],
        [],
        "assess",
    )
    then = await trend(api, tid, None, as_of=while_linked.isoformat())
    assert [i["initiative_id"] for i in then["linked"]] == [idea["id"]]
    assert then["maturity"] == "growing"


async def test_the_rules_answer_with_problems_that_say_why(api: Api):
    tid = (await api.ok("/trends", "contributor", {**TREND, "name": "Agent frameworks"}))["id"]
    unknown = await api.post(f"/trends/{tid}/links", "contributor", {"initiative_id": "nope-1"})
    assert unknown.status_code == 422, unknown.text
    assert "no initiative nope-1" in unknown.json()["detail"]
    assert (await api.post("/trends", "viewer", TREND)).status_code == 403
    assert (await api.post(f"/trends/{tid}/moves", "viewer", MOVE)).status_code == 403
    assert (await api.post(f"/trends/{tid}/moves", "owner", MOVE)).status_code == 403
    by_agent = await api.post(f"/trends/{tid}/moves", "agent", MOVE)
    assert by_agent.status_code == 403 and "AI agent" in by_agent.json()["detail"]
    agent_adopt = await api.post("/trends", "agent", {**TREND, "ring": "adopt"})
    assert agent_adopt.status_code == 403 and "assess" in agent_adopt.json()["detail"]
    blank = await api.post(f"/trends/{tid}/moves", "committee", {**MOVE, "rationale": "  "})
    assert blank.status_code == 422 and "rationale" in blank.json()["detail"]
    missing = await api.post(f"/trends/{tid}/moves", "committee", {"ring": "hold"})
    assert missing.status_code == 422 and "rationale" in missing.text
    assert (await api.post("/trends", "contributor", {**TREND, "ring": "core"})).status_code == 422
    assert (await api.get("/trends/no-such-trend")).status_code == 404
    same = await api.ok(f"/trends/{tid}/moves", "committee", {**MOVE, "ring": "assess"})
    assert same["version"] == 1  # to the ring it is in: nothing recorded
    stale = await api.post(f"/trends/{tid}/moves", "committee", {**MOVE, "expected_version": 0})
    assert stale.status_code == 409 and stale.json()["current_version"] == 1, stale.text
    assert stale.json()["detail"] == f"trend {tid} is at version 1, not the expected 0"


async def test_a_trends_stream_is_no_initiatives_timeline(api: Api):
    """The timeline keys a trend's events by its id: an initiative's timeline never serves
    them, not even when the trend's id is an initiative's."""
    tid = (await api.ok("/trends", "contributor", {**TREND, "name": "Trend, not initiative"}))["id"]
    idea = await api.ok("/initiatives", "contributor", IDEA)
    twin = await api.ok("/trends", "contributor", {**TREND, "name": "Twin", "trend_id": idea["id"]})
    await trend(api, idea["id"], twin["position"])
    alone = await api.get(f"/initiatives/{tid}/events")
    assert alone.status_code == 404, alone.text
    assert f"no initiative {tid}" in alone.json()["detail"]
    timeline = await api.get(f"/initiatives/{idea['id']}/events")
    assert timeline.status_code == 200, timeline.text
    assert [e["source"] for e in timeline.json()] == ["/tollgate/ideation"]


async def test_a_subscriber_asks_for_trend_events_by_type_and_by_stage(api: Api):
    """The trends' events are on the stream and in /asyncapi.json, so the SSE stream's
    `type` and `stage` and a webhook's `event_types` take them (they were a 400 and a 422)."""
    moved = "io.tollgate.trends.trend_moved.v1"
    tid = (await api.ok("/trends", "contributor", {**TREND, "name": "Streamed trend"}))["id"]
    hook = {"url": "https://hooks.example.com/radar", "event_types": [moved]}
    created = await api.post("/subscriptions", "admin", hook)
    assert created.status_code == 201, created.text
    received: list[dict[str, str]] = []

    async def listen(params: dict[str, str]) -> None:
        async with api.http.stream("GET", "/events/stream", params=params,
                                   headers=api.headers("viewer")) as response:  # fmt: skip
            assert response.status_code == 200, await response.aread()
            message: dict[str, str] = {}
            async for line in response.aiter_lines():
                if not line:
                    received.append(message)
                    return
                key, _, value = line.partition(":")
                message[key] = value.strip()

    listeners = [
        asyncio.create_task(listen({"type": moved, "initiative_id": tid})),
        asyncio.create_task(listen({"stage": "trends", "initiative_id": tid})),
    ]
    await asyncio.sleep(0.5)  # the stream is live-only: let the subscriptions start
    await api.ok(f"/trends/{tid}/moves", "committee", MOVE)
    await asyncio.wait_for(asyncio.gather(*listeners), 10)
    assert [m["event"] for m in received] == [moved, moved]
    assert {json.loads(m["data"])["subject"] for m in received} == {tid}


async def radar_tables(pool: Pool) -> tuple[list[Any], list[Any]]:
    rows = await pool.fetch("SELECT * FROM projection.trends ORDER BY trend_id")
    moves = await pool.fetch("SELECT * FROM projection.trend_moves ORDER BY event_id")
    return [tuple(r) for r in rows], [tuple(r) for r in moves]


async def apply_again(pool: Pool) -> None:
    rows = await pool.fetch(
        "SELECT seq, body FROM projection.timeline WHERE stage = 'trends' ORDER BY seq"
    )
    async with pool.acquire() as conn, conn.transaction():
        for row in rows:
            ce = msgspec.json.decode(bytes(row["body"]), type=CloudEvent)
            await trends_store.apply(conn, ce, row["seq"], "projection")


async def test_a_projection_rebuild_leaves_the_radar_as_the_live_projection_wrote_it(api: Api):
    tid = (await api.ok("/trends", "contributor", {**TREND, "name": "Vector databases"}))["id"]
    await api.ok(f"/trends/{tid}/moves", "committee", {**MOVE, "ring": "hold"})
    settings = api.stack.settings
    nc = await nats.connect(settings.nats_url)
    pool = await create_pool(settings.database_url, max_size=2)
    try:
        last = (await nc.jetstream().stream_info(settings.stream)).state.last_seq

        async def applied() -> bool:
            return await queries.applied_position(pool) >= last

        await eventually(applied, what="the live projection applied every event")
        live = await radar_tables(pool)
        assert len(live[0]) >= 3 and len(live[1]) >= 2
        await rebuild(settings)
        assert await radar_tables(pool) == live
        await apply_again(pool)  # the side view is idempotent: a replay changes nothing
        assert await radar_tables(pool) == live
    finally:
        await pool.close()
        await nc.close()
