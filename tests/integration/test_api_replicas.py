"""The API is stateless: two replicas (as `tollgate up --replicas 2` runs them, on ports of
their own) share idempotency keys, and each one's event stream carries every live event,
whichever replica took the command."""

from __future__ import annotations

import asyncio
import json
import uuid

import httpx
import pytest

from infra.settings import Settings
from tests.integration.api_stack import make_users
from tests.integration.bus import own_bus
from tests.integration.chaos_faults import STAGES
from tests.integration.test_api_lifecycle import IDEA
from tests.stack import start_stack

pytestmark = pytest.mark.asyncio(loop_scope="session")
WORKSHOP = {"held_on": "2026-01-15", "participants": ["ana"], "outcome": "Go on"}
WORKSHOP_HELD = "io.tollgate.ideation.workshop_held.v1"


async def test_two_api_replicas_share_keys_and_stream_every_live_event(settings: Settings):
    bus = own_bus(settings)
    everything = [*STAGES, "agents", "trends", "projection", "api", "api#2"]  # /health: all
    stack = await start_stack(bus, everything)
    token = (await make_users(bus))["owner"]
    auth = {"Authorization": f"Bearer {token}"}
    first = httpx.AsyncClient(base_url=f"{stack.url_of('api')}/api/v1", headers=auth, timeout=30)
    second = httpx.AsyncClient(base_url=f"{stack.url_of('api#2')}/api/v1", headers=auth, timeout=30)
    try:
        key = {"Idempotency-Key": str(uuid.uuid4())}
        created = await first.post("/initiatives", json=IDEA, headers=key)
        again = await second.post("/initiatives", json=IDEA, headers=key)
        assert created.status_code == 201, created.text
        assert again.status_code == 201 and again.headers.get("Idempotent-Replayed") == "true"
        iid = created.json()["id"]
        assert again.json()["id"] == iid

        replicas = {"api": first, "api#2": second}
        heard = {name: asyncio.create_task(first_event(c, iid)) for name, c in replicas.items()}
        sent = 0
        while not all(t.done() for t in heard.values()) and sent < 50:  # until both streams run
            response = await first.post(f"/initiatives/{iid}/ideation/workshops", json=WORKSHOP)
            assert response.status_code == 201, response.text
            sent += 1
            await asyncio.wait(heard.values(), timeout=0.2)
        events = {name: await asyncio.wait_for(t, 10) for name, t in heard.items()}
    finally:
        await first.aclose()
        await second.aclose()
        await stack.stop_all()
    for name, event in events.items():
        assert event["type"] == WORKSHOP_HELD and event["subject"] == iid, name


async def first_event(client: httpx.AsyncClient, iid: str) -> dict[str, str]:
    """The first event on the replica's stream of the initiative's workshops."""
    params = {"initiative_id": iid, "type": WORKSHOP_HELD}
    async with client.stream("GET", "/events/stream", params=params) as response:
        assert response.status_code == 200
        async for line in response.aiter_lines():
            if line.startswith("data:"):
                event: dict[str, str] = json.loads(line.partition(":")[2])
                return event
    raise AssertionError("the event stream ended")
