"""A delivery: checked again after DNS (no connection to a refused address), no redirects,
a class of error instead of the socket's message, signed the Standard Webhooks way.
The receivers are in-memory transports: nothing leaves the process."""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from standardwebhooks import Webhook, WebhookVerificationError

from api.webhooks.address import AllowList, Refused
from api.webhooks.ping import TYPE, ping_event
from api.webhooks.signing import new_secret, secret_problem, signed_headers
from api.webhooks.transport import CheckedTransport
from api.webhooks.worker import NO_RESPONSE, UNRESOLVED, Deliverer
from events.base import Actor
from tests.unit.api.test_webhook_addresses import FakeResolver

BODY = b'{"id":"e-1","type":"io.tollgate.ideation.idea_proposed.v1"}'
EVENT_ID = "0b7c9f0e-9a43-4a51-8b36-3c1f3f3f0a01"


class Receiver:
    """An in-memory receiver: records each request and answers with `reply`."""

    def __init__(self, reply: Any = 204) -> None:
        self.reply = reply
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if isinstance(self.reply, Exception):
            raise self.reply
        if isinstance(self.reply, httpx.Response):
            return self.reply
        return httpx.Response(self.reply)

    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self)


def due(url: str, secret: str = "a-webhook-secret-of-ours") -> dict[str, Any]:
    return {"url": url, "secret": secret, "body": BODY, "delivery_id": 7, "event_id": EVENT_ID}


async def deliver(url: str, receiver: Receiver, resolve: FakeResolver) -> tuple[Any, ...]:
    deliverer = Deliverer(None, allow=AllowList(), resolve=resolve)  # type: ignore[arg-type]
    async with deliverer.client(receiver.transport()) as client:
        return await deliverer.post(client, due(url))


async def test_a_name_resolving_to_a_private_address_at_delivery_is_refused_without_connecting():
    resolve = FakeResolver({"hooks.example.com": ["10.0.0.5"]})
    receiver = Receiver()
    status, error, _ = await deliver("https://hooks.example.com/x", receiver, resolve)
    assert status is None
    assert error == (
        "delivery refused: hooks.example.com resolves to a private address; webhooks go to"
        " public addresses only, unless TOLLGATE_WEBHOOK_ALLOW names the host"
    )
    assert receiver.requests == [], "no connection may be attempted"


async def test_every_resolved_address_is_checked_not_only_the_first():
    resolve = FakeResolver({"hooks.example.com": ["93.184.216.34", "169.254.169.254"]})
    receiver = Receiver()
    with pytest.raises(Refused, match="cloud metadata"):
        transport = CheckedTransport(AllowList(), resolve, receiver.transport())
        await transport.handle_async_request(httpx.Request("POST", "http://hooks.example.com/"))
    assert receiver.requests == []


async def test_the_request_goes_to_the_checked_address_with_the_name_kept_for_host_and_tls():
    resolve = FakeResolver({"hooks.example.com": ["93.184.216.34"]})
    receiver = Receiver()
    status, error, _ = await deliver("https://hooks.example.com:8443/in?x=1", receiver, resolve)
    assert (status, error) == (204, None)
    [sent] = receiver.requests
    assert str(sent.url) == "https://93.184.216.34:8443/in?x=1"
    assert sent.headers["host"] == "hooks.example.com:8443"
    assert sent.extensions["sni_hostname"] == "hooks.example.com"
    assert resolve.asked == ["hooks.example.com"], "one look-up, no second one to race"


async def test_a_redirect_is_not_followed_and_counts_as_a_failed_attempt():
    resolve = FakeResolver({"hooks.example.com": ["93.184.216.34"]})
    moved = httpx.Response(302, headers={"Location": "http://169.254.169.254/latest/"})
    receiver = Receiver(moved)
    status, error, _ = await deliver("http://hooks.example.com/", receiver, resolve)
    assert (status, error) == (302, "HTTP 302: redirects are not followed")
    assert len(receiver.requests) == 1


@pytest.mark.parametrize(
    "failure",
    [
        httpx.ConnectError("[Errno 111] Connection refused"),
        httpx.ConnectTimeout("timed out"),
        httpx.ReadTimeout("timed out"),
        httpx.RemoteProtocolError("Server disconnected without sending a response."),
    ],
    ids=["closed port", "filtered port", "slow", "not http"],
)
async def test_a_failed_connection_records_one_class_of_error_whatever_the_socket_said(
    failure: Exception,
):
    resolve = FakeResolver({"hooks.example.com": ["93.184.216.34"]})
    status, error, _ = await deliver("http://hooks.example.com/", Receiver(failure), resolve)
    assert (status, error) == (None, NO_RESPONSE)


async def test_a_name_that_does_not_resolve_is_a_failed_attempt():
    status, error, _ = await deliver("http://gone.example.com/", Receiver(), FakeResolver({}))
    assert (status, error) == (None, UNRESOLVED)


async def test_a_delivery_verifies_with_the_standardwebhooks_library():
    secret = new_secret()
    resolve = FakeResolver({"hooks.example.com": ["93.184.216.34"]})
    receiver = Receiver()
    deliverer = Deliverer(None, allow=AllowList(), resolve=resolve)  # type: ignore[arg-type]
    async with deliverer.client(receiver.transport()) as client:
        await deliverer.post(client, due("http://hooks.example.com/", secret))
    [sent] = receiver.requests
    headers = dict(sent.headers)
    assert Webhook(secret).verify(sent.content, headers)["id"] == "e-1"
    assert headers["webhook-id"] == EVENT_ID
    with pytest.raises(WebhookVerificationError):
        Webhook(secret).verify(sent.content.replace(b"e-1", b"e-2"), headers)


def test_a_signature_holds_its_timestamp_so_an_old_delivery_replayed_is_refused():
    secret = new_secret()
    old = signed_headers(secret, EVENT_ID, BODY, datetime.now(UTC) - timedelta(minutes=10))
    with pytest.raises(WebhookVerificationError, match="too old"):
        Webhook(secret).verify(BODY, old)
    moved = dict(old)
    moved["webhook-timestamp"] = str(int(datetime.now(UTC).timestamp()))
    with pytest.raises(WebhookVerificationError, match="No matching signature"):
        Webhook(secret).verify(BODY, moved)


def test_a_plain_secret_signs_with_its_utf8_bytes_and_the_deprecated_header_is_still_sent():
    secret = "a-webhook-secret-of-ours"
    headers = signed_headers(secret, EVENT_ID, BODY, datetime.now(UTC))
    assert Webhook(secret.encode()).verify(BODY, headers)
    legacy = "sha256=" + hmac.new(secret.encode(), BODY, hashlib.sha256).hexdigest()
    assert headers["Tollgate-Signature"] == legacy


def test_a_whsec_secret_must_hold_base64_of_24_to_64_bytes():
    assert secret_problem(new_secret()) is None
    assert secret_problem("a-plain-secret-of-16+") is None
    assert "base64" in (secret_problem("whsec_not*base64!!!!") or "")
    assert "24 to 64 bytes" in (secret_problem("whsec_c2hvcnQta2V5") or "")


def test_the_test_event_is_a_cloudevent_about_the_subscription():
    admin = Actor(id="u-1", name="admin", roles=("admin",))
    event = ping_event("s-1", admin, EVENT_ID, datetime(2026, 1, 1, tzinfo=UTC))
    assert (event.type, event.subject, event.id, event.actor) == (TYPE, "s-1", EVENT_ID, "u-1")
    assert json.loads(bytes(event.data))["subscription_id"] == "s-1"
