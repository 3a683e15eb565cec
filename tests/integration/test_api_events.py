"""The event interfaces: the AsyncAPI document validates with @asyncapi/parser and names
every event type; events on NATS parse with the cloudevents SDK; the SSE stream (served
by the real uvicorn process) delivers filtered events live; OpenAPI and health answer."""

from __future__ import annotations

import asyncio
import json
import shutil
import subprocess
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import nats
import pytest
from cloudevents.core.formats.json import JSONFormat

from events.catalog import EVENT_TYPES
from tests.integration.api_stack import Api, api
from tests.integration.test_api_lifecycle import IDEA

pytestmark = pytest.mark.asyncio(loop_scope="session")
__all__ = ["api"]

CHECKER = Path(__file__).resolve().parent.parent / "asyncapi"
WORKSHOP = {"held_on": "2026-01-15", "participants": ["ana"], "outcome": "Go on"}


def validate(document: bytes) -> dict[str, Any]:
    if not (CHECKER / "node_modules" / "@asyncapi" / "parser").is_dir():
        npm = shutil.which("npm")
        assert npm, "npm is needed to install @asyncapi/parser (tests/asyncapi)"
        subprocess.run([npm, "ci", "--no-audit", "--no-fund"], cwd=CHECKER, check=True)
    node = shutil.which("node")
    assert node, "node is needed to run @asyncapi/parser"
    done = subprocess.run([node, "validate.mjs"], cwd=CHECKER, input=document,
                          capture_output=True, check=False, timeout=120)  # fmt: skip
    result: dict[str, Any] = json.loads(done.stdout)
    return result


async def test_the_asyncapi_document_validates_and_names_every_event_type(api: Api):
    response = await api.http.get("/asyncapi.json")  # public: no token
    assert response.status_code == 200
    result = validate(response.content)
    assert result["valid"], result["errors"]
    doc = response.json()
    names = {m["name"] for m in doc["components"]["messages"].values()}
    assert set(EVENT_TYPES) <= names
    addresses = {c["address"] for c in doc["channels"].values() if c["address"]}
    root = api.stack.settings.subject_root
    assert f"{root}.events.poc.gate_decided.{{initiative_id}}" in addresses
    assert f"{root}.cmd.ideation.propose-idea" in addresses
    nats_host = urlsplit(api.stack.settings.nats_url.split(",")[0]).netloc.rpartition("@")[2]
    assert doc["servers"]["nats"]["host"] == nats_host


async def test_events_on_nats_parse_with_the_cloudevents_sdk(api: Api):
    settings = api.stack.settings
    nc = await nats.connect(settings.nats_url)
    got: list[bytes] = []

    async def collect(msg: Any) -> None:
        got.append(msg.data)

    sub = await nc.subscribe(settings.subjects.events, cb=collect)
    try:
        iid = (await api.ok("/initiatives", "owner", IDEA))["id"]
        await api.ok(f"/initiatives/{iid}/ideation/workshops", "owner", WORKSHOP)
        for _ in range(100):
            if len([b for b in got if iid.encode() in b]) >= 2:
                break
            await asyncio.sleep(0.05)
    finally:
        await sub.unsubscribe()
        await nc.close()
    parsed = [JSONFormat().read(None, body) for body in got if iid.encode() in body]
    # core-NATS subscribers may see a republished event twice: id is the dedup key
    events = list({e.get_id(): e for e in parsed}.values())
    assert [e.get_type() for e in events] == [
        "io.tollgate.ideation.idea_proposed.v1",
        "io.tollgate.ideation.workshop_held.v1",
    ]
    assert all(e.get_source() == "/tollgate/ideation" and e.get_subject() == iid for e in events)
    raw = [json.loads(body) for body in got if iid.encode() in body]
    assert all(e["stageposition"] > 0 and "position" not in e for e in raw)


async def test_the_timeline_carries_the_global_position_of_each_event(api: Api):
    reply = await api.ok("/initiatives", "owner", IDEA)
    iid = reply["id"]
    worked = await api.ok(f"/initiatives/{iid}/ideation/workshops", "owner", WORKSHOP)
    timeline = await api.get(f"/initiatives/{iid}/events", min_position=worked["position"])
    proposed, held = timeline.json()
    settings = api.stack.settings
    nc = await nats.connect(settings.nats_url)
    try:
        js = nc.jetstream()
        for event, name in ((proposed, "idea_proposed"), (held, "workshop_held")):
            subject = settings.subjects.event("ideation", name, iid)
            message = await js.get_last_msg(settings.stream, subject)
            assert event["position"] == message.seq
    finally:
        await nc.close()
    assert proposed["position"] <= reply["position"] < held["position"] <= worked["position"]
    assert 0 < proposed["stageposition"] < held["stageposition"]


async def test_the_event_stream_sends_the_initiatives_events_live_and_filtered(api: Api):
    iid = (await api.ok("/initiatives", "owner", IDEA))["id"]
    other = (await api.ok("/initiatives", "owner", IDEA))["id"]
    received: list[dict[str, str]] = []
    params = {"initiative_id": iid, "type": "io.tollgate.ideation.workshop_held.v1"}

    async def listen() -> None:
        async with api.http.stream("GET", "/events/stream", params=params,
                                   headers=api.headers("viewer")) as response:  # fmt: skip
            assert response.status_code == 200
            message: dict[str, str] = {}
            async for line in response.aiter_lines():
                if not line:
                    received.append(message)
                    return
                key, _, value = line.partition(":")
                message[key] = value.strip()

    listener = asyncio.create_task(listen())
    await asyncio.sleep(0.5)  # the stream is live-only: let the subscription start
    await api.ok(f"/initiatives/{other}/ideation/workshops", "owner", WORKSHOP)
    await api.ok(
        f"/initiatives/{iid}/ideation/scores",
        "owner",
        {"value": 3, "feasibility": 3, "risk": 3, "strategic_fit": 3},
    )
    await api.ok(f"/initiatives/{iid}/ideation/workshops", "owner", WORKSHOP)
    await asyncio.wait_for(listener, 10)
    [message] = received
    assert message["event"] == "io.tollgate.ideation.workshop_held.v1"
    assert json.loads(message["data"])["subject"] == iid


async def test_openapi_swagger_and_health_are_served(api: Api):
    root = api.url
    spec = (await api.http.get(f"{root}/schema/openapi.json")).json()
    ids = {op.get("operationId") for path in spec["paths"].values() for op in path.values()}
    assert {"proposeIdea", "decideGate", "recordMeasurement", "createSubscription"} <= ids
    swagger = await api.http.get(f"{root}/schema/swagger")
    assert "/static/vendor/swagger-ui-bundle.js" in swagger.text
    assert (await api.http.get(f"{root}/static/vendor/swagger-ui-bundle.js")).status_code == 200
    health = (await api.http.get(f"{root}/health")).json()
    assert health["status"] == "ok", health
    assert {"database", "broker", "ideation", "poc", "pilot", "mvp", "projection"} <= set(
        health["checks"]
    )
    metrics = (await api.http.get(f"{root}/metrics", headers=api.headers("admin"))).text
    assert "tollgate_http_requests_total" in metrics and "tollgate_commands_total" in metrics
