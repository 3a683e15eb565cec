"""Webhooks: a local receiver gets each subscribed event once, signed; a receiver that
fails three times and then recovers still gets every event, in order."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
from typing import Any

import pytest

from launch.embedded import free_port
from tests.integration.api_stack import Api, api
from tests.integration.bus import eventually
from tests.integration.test_api_lifecycle import IDEA

pytestmark = pytest.mark.asyncio(loop_scope="session")
__all__ = ["api"]

SECRET = "a-webhook-secret-of-ours"
TYPES = ["io.tollgate.ideation.idea_proposed.v1", "io.tollgate.ideation.workshop_held.v1"]
WORKSHOP = {"held_on": "2026-01-15", "participants": ["ana"], "outcome": "Go on"}


class Receiver:
    """A minimal HTTP server that records each POST and fails the first `failures`."""

    def __init__(self, failures: int = 0) -> None:
        self.failures = failures
        self.calls = 0
        self.received: list[tuple[dict[str, str], bytes]] = []
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/hook"

    async def __aenter__(self) -> Receiver:
        self.server = await asyncio.start_server(self.handle, "127.0.0.1", self.port)
        return self

    async def __aexit__(self, *_: object) -> None:
        self.server.close()
        await self.server.wait_closed()

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head = (await reader.readuntil(b"\r\n\r\n")).decode().split("\r\n")
        headers = {k.lower(): v.strip() for k, _, v in (h.partition(":") for h in head[1:] if h)}
        body = await reader.readexactly(int(headers.get("content-length", "0")))
        self.calls += 1
        status = "503 Service Unavailable" if self.calls <= self.failures else "204 No Content"
        if self.calls > self.failures:
            self.received.append((headers, body))
        writer.write(
            f"HTTP/1.1 {status}\r\ncontent-length: 0\r\nconnection: close\r\n\r\n".encode()
        )
        await writer.drain()
        writer.close()

    def events(self) -> list[dict[str, Any]]:
        return [json.loads(body) for _, body in self.received]


def signed(headers: dict[str, str], body: bytes) -> bool:
    expected = "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(headers.get("tollgate-signature", ""), expected)


async def subscribe(api: Api, receiver: Receiver, initiative_id: str | None = None) -> str:
    body: dict[str, Any] = {"url": receiver.url, "secret": SECRET, "event_types": TYPES}
    if initiative_id:
        body["initiative_id"] = initiative_id
    sid: str = (await api.ok("/subscriptions", "admin", body))["subscription_id"]
    return sid


async def two_events(api: Api) -> str:
    iid: str = (await api.ok("/initiatives", "owner", IDEA))["id"]
    await api.ok(f"/initiatives/{iid}/ideation/workshops", "owner", WORKSHOP)
    await api.ok(
        f"/initiatives/{iid}/ideation/scores",
        "owner",
        {"value": 3, "feasibility": 3, "risk": 3, "strategic_fit": 3},
    )  # not subscribed
    return iid


async def test_a_receiver_gets_each_subscribed_event_once_and_signed(api: Api):
    async with Receiver() as receiver:
        sid = await subscribe(api, receiver)
        iid = await two_events(api)

        async def arrived() -> bool:
            return len([e for e in receiver.events() if e["subject"] == iid]) >= 2

        await eventually(arrived, what="two deliveries")
        await asyncio.sleep(1)  # a duplicate would arrive within the poll interval
        mine = [(h, b) for h, b in receiver.received if json.loads(b)["subject"] == iid]
        assert [json.loads(b)["type"] for _, b in mine] == TYPES
        assert all(signed(h, b) for h, b in mine)
        assert all(h["content-type"] == "application/cloudevents+json" for h, _ in mine)
        deliveries = (await api.get(f"/subscriptions/{sid}/deliveries", "admin")).json()
        assert {d["status"] for d in deliveries} == {"delivered"}
        await api.delete(f"/subscriptions/{sid}", "admin")


async def test_a_receiver_failing_three_times_then_recovering_gets_every_event(api: Api):
    async with Receiver(failures=3) as receiver:
        iid_holder: list[str] = []
        sid = await subscribe(api, receiver)
        iid_holder.append(await two_events(api))

        async def arrived() -> bool:
            return len(receiver.events()) >= 2

        await eventually(arrived, timeout=30, what="deliveries after the receiver recovered")
        assert [e["type"] for e in receiver.events()] == TYPES
        assert all(signed(h, b) for h, b in receiver.received)
        deliveries = (await api.get(f"/subscriptions/{sid}/deliveries", "admin")).json()
        first = min(deliveries, key=lambda d: d["delivery_id"])
        assert first["attempts"] == 4 and first["status"] == "delivered"
        subscription = (await api.get(f"/subscriptions/{sid}", "admin")).json()
        assert subscription["status"] == "active" and subscription["failures"] == 0
        await api.delete(f"/subscriptions/{sid}", "admin")


async def test_a_subscription_to_an_unknown_event_type_is_refused(api: Api):
    response = await api.post(
        "/subscriptions",
        "admin",
        {"url": "http://127.0.0.1:9/x", "secret": SECRET, "event_types": ["io.nope.v1"]},
    )
    assert response.status_code == 422 and response.json()["field"] == "event_types"
    listed = (await api.get("/subscriptions", "admin")).json()
    assert all("io.nope.v1" not in s["event_types"] for s in listed)


async def test_events_recorded_while_the_webhook_worker_is_down_are_delivered_after_it_restarts(
    api: Api,
):
    async with Receiver() as receiver:
        await api.stack.stop("webhooks")
        sid = await subscribe(api, receiver)
        created = await api.ok("/initiatives", "owner", IDEA)
        await api.state(created["id"], created["position"])  # the API and projection took it
        deliveries = (await api.get(f"/subscriptions/{sid}/deliveries", "admin")).json()
        assert deliveries == [], "the API process must not queue webhook deliveries"
        await api.stack.start("webhooks")

        async def arrived() -> bool:
            return created["id"] in [e["subject"] for e in receiver.events()]

        await eventually(arrived, timeout=30, what="the delivery after the restart")
        await api.delete(f"/subscriptions/{sid}", "admin")
