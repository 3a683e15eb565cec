"""Webhooks, every service a real process.

A local receiver (the tests' stack allows 127.0.0.1 with TOLLGATE_WEBHOOK_ALLOW) gets each
subscribed event once, verifiable with the `standardwebhooks` library; a receiver that fails
three times and then recovers still gets every event, in order. An API without the
allow-list refuses loopback, private and metadata URLs. The worker refuses a stored URL to
a refused address without connecting, follows no redirect, and records a class of error
rather than the socket's message. The test event arrives; the deliveries list honours
`limit`.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest
import pytest_asyncio
from standardwebhooks import Webhook

from infra.db import create_pool
from infra.settings import Settings
from tests.integration.api_stack import Api, api
from tests.integration.bus import eventually
from tests.integration.test_api_lifecycle import IDEA
from tests.integration.webhook_receiver import Receiver
from tests.stack import Stack

pytestmark = pytest.mark.asyncio(loop_scope="session")
__all__ = ["api"]

SECRET = "whsec_" + base64.b64encode(b"a webhook secret of 32 bytes....").decode()
TYPES = ["io.tollgate.ideation.idea_proposed.v1", "io.tollgate.ideation.workshop_held.v1"]
WORKSHOP = {"held_on": "2026-01-15", "participants": ["ana"], "outcome": "Go on"}
PING = "io.tollgate.system.webhook_test.v1"


def signed(headers: dict[str, str], body: bytes, secret: str = SECRET) -> bool:
    """Verified by the `standardwebhooks` library, and by the deprecated Tollgate-Signature."""
    Webhook(secret).verify(body, headers)  # raises WebhookVerificationError
    legacy = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(headers.get("tollgate-signature", ""), legacy)


async def subscribe(api: Api, receiver: Receiver, initiative_id: str | None = None) -> str:
    body: dict[str, Any] = {"url": receiver.url, "secret": SECRET, "event_types": TYPES}
    if initiative_id:
        body["initiative_id"] = initiative_id
    sid: str = (await api.ok("/subscriptions", "admin", body))["subscription_id"]
    return sid


async def send_test(api: Api, path: str) -> dict[str, Any]:
    response = await api.post(path, "admin")
    assert response.status_code == 202, response.text
    queued: dict[str, Any] = response.json()
    return queued


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


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def strict(api: Api, settings: Settings) -> AsyncIterator[Api]:
    """A second API process on the same database, without any webhook allow-list."""
    stack = Stack(settings, {"TOLLGATE_WEBHOOK_ALLOW": ""})
    await stack.start("api")
    client = Api(stack, api.tokens)
    try:
        yield client
    finally:
        await client.http.aclose()
        await stack.stop_all()


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("http://127.0.0.1:5432/", "127.0.0.1 is a loopback address"),
        ("http://10.0.0.1/hook", "10.0.0.1 is a private address"),
        ("http://169.254.169.254/latest/meta-data/", "169.254.169.254 is a cloud metadata"),
        ("http://[::1]:22/", "::1 is a loopback address"),
        ("http://[::ffff:127.0.0.1]/", "IPv4 127.0.0.1 inside IPv6"),
        ("http://localhost:8000/", "localhost is a loopback name"),
        ("ftp://example.com/x", "only http:// and https://"),
    ],
)
async def test_without_the_allow_list_a_url_to_a_refused_address_is_a_422_naming_it(
    strict: Api, url: str, problem: str
):
    response = await strict.post("/subscriptions", "admin", {"url": url, "secret": SECRET})
    assert response.status_code == 422, response.text
    assert response.json()["field"] == "url" and problem in response.json()["detail"]
    listed = (await strict.get("/subscriptions", "admin")).json()
    assert url not in [s["url"] for s in listed]


async def test_the_allow_list_admits_only_what_it_names(api: Api):
    for url in ("http://127.0.0.2/", "http://10.0.0.1/", "http://169.254.169.254/"):
        response = await api.post("/subscriptions", "admin", {"url": url, "secret": SECRET})
        assert response.status_code == 422, (url, response.text)


async def test_a_subscription_without_a_secret_gets_one_its_deliveries_verify_with(api: Api):
    async with Receiver() as receiver:
        made = await api.ok("/subscriptions", "admin", {"url": receiver.url})
        assert made["secret"].startswith("whsec_")
        listed = (await api.get(f"/subscriptions/{made['subscription_id']}", "admin")).json()
        assert "secret" not in listed
        queued = await send_test(api, f"/subscriptions/{made['subscription_id']}/test")

        async def arrived() -> bool:
            return bool(receiver.received)

        await eventually(arrived, what="the test event")
        [(headers, body)] = receiver.received
        assert signed(headers, body, made["secret"])
        assert headers["webhook-id"] == queued["event_id"]
        await api.delete(f"/subscriptions/{made['subscription_id']}", "admin")


async def test_the_test_event_goes_to_that_subscription_only_whatever_its_event_types(api: Api):
    async with Receiver() as receiver, Receiver() as other:
        sid = await subscribe(api, receiver)
        other_sid = await subscribe(api, other)
        queued = await send_test(api, f"/subscriptions/{sid}/test")
        assert queued["event_type"] == PING

        async def delivered() -> bool:
            listed = (await api.get(f"/subscriptions/{sid}/deliveries", "admin")).json()
            return any(
                d["delivery_id"] == queued["delivery_id"] and d["status"] == "delivered"
                for d in listed
            )

        await eventually(delivered, what="the test delivery")
        [event] = [e for e in receiver.events() if e["type"] == PING]
        assert (event["id"], event["subject"]) == (queued["event_id"], sid)
        assert event["data"]["subscription_id"] == sid
        assert all(signed(h, b) for h, b in receiver.received)
        assert PING not in [e["type"] for e in other.events()]
        for gone in (sid, other_sid):
            await api.delete(f"/subscriptions/{gone}", "admin")
        assert (await api.post(f"/subscriptions/{sid}/test", "admin")).status_code == 404


async def test_the_deliveries_list_honours_limit(api: Api):
    async with Receiver() as receiver:
        sid = await subscribe(api, receiver)
        test = f"/subscriptions/{sid}/test"
        ids = [(await send_test(api, test))["delivery_id"] for _ in range(53)]

        async def listed(**params: Any) -> list[int]:
            response = await api.get(f"/subscriptions/{sid}/deliveries", "admin", **params)
            assert response.status_code == 200, response.text
            return [d["delivery_id"] for d in response.json()]

        assert await listed(limit=3) == ids[::-1][:3]
        assert await listed() == ids[::-1][:50]
        assert await listed(limit=500) == ids[::-1]
        for wrong in (0, 501, "many"):
            response = await api.get(f"/subscriptions/{sid}/deliveries", "admin", limit=wrong)
            assert response.status_code == 400 and response.json()["field"] == "limit"
        await api.delete(f"/subscriptions/{sid}", "admin")


async def last_error(api: Api, sid: str) -> str:
    async def attempted() -> bool:
        listed = (await api.get(f"/subscriptions/{sid}/deliveries", "admin")).json()
        return bool(listed) and listed[0]["attempts"] > 0

    await eventually(attempted, what="a delivery attempt")
    listed = (await api.get(f"/subscriptions/{sid}/deliveries", "admin")).json()
    error: str = listed[0]["last_error"]
    return error


async def test_a_redirect_is_not_followed(api: Api):
    async with Receiver() as target, Receiver(redirect_to="") as moving:
        moving.redirect_to = target.url
        sid = await subscribe(api, moving)
        await send_test(api, f"/subscriptions/{sid}/test")
        assert await last_error(api, sid) == "HTTP 307: redirects are not followed"
        await api.delete(f"/subscriptions/{sid}", "admin")
        assert target.connections == 0


async def test_a_failed_connection_does_not_tell_whether_the_port_is_open(api: Api):
    closed = Receiver()  # never started: nothing listens on its port
    made = await api.ok(
        "/subscriptions", "admin", {"url": closed.url, "secret": SECRET, "event_types": TYPES}
    )
    await send_test(api, f"/subscriptions/{made['subscription_id']}/test")
    error = await last_error(api, made["subscription_id"])
    assert error == "delivery failed: no HTTP response (connection or timeout)"
    await api.delete(f"/subscriptions/{made['subscription_id']}", "admin")


async def test_a_stored_url_to_a_refused_address_is_refused_at_delivery_without_connecting(
    api: Api, settings: Settings
):
    """A row stored before these checks (127.0.0.2 is loopback, and the stack allows only
    127.0.0.1): the worker checks again and never connects to the listening receiver."""
    async with Receiver(host="127.0.0.2") as receiver:
        sid = str(uuid.uuid4())
        pool = await create_pool(settings.database_url, max_size=1)
        try:
            await pool.execute(
                "INSERT INTO api.subscriptions (subscription_id, url, event_types, secret,"
                " created_by) VALUES ($1, $2, '{io.tollgate.none.v1}', $3, 'legacy')",
                uuid.UUID(sid),
                receiver.url,
                SECRET,
            )
        finally:
            await pool.close()
        await send_test(api, f"/subscriptions/{sid}/test")
        error = await last_error(api, sid)
        assert error.startswith("delivery refused: 127.0.0.2 is a loopback address"), error
        await api.delete(f"/subscriptions/{sid}", "admin")
        assert receiver.connections == 0


async def test_a_malformed_whsec_secret_is_a_422_and_a_disabled_subscription_gets_no_test(
    api: Api, settings: Settings
):
    bad = await api.post(
        "/subscriptions", "admin", {"url": "http://127.0.0.1:9/", "secret": "whsec_not*base64!!"}
    )
    assert bad.status_code == 422 and bad.json()["field"] == "secret", bad.text
    made = await api.ok("/subscriptions", "admin", {"url": "http://127.0.0.1:9/"})
    pool = await create_pool(settings.database_url, max_size=1)
    try:
        await pool.execute(
            "UPDATE api.subscriptions SET status = 'disabled' WHERE subscription_id = $1",
            uuid.UUID(made["subscription_id"]),
        )
    finally:
        await pool.close()
    refused = await api.post(f"/subscriptions/{made['subscription_id']}/test", "admin")
    assert refused.status_code == 409 and "disabled" in refused.json()["detail"]
    await api.delete(f"/subscriptions/{made['subscription_id']}", "admin")
