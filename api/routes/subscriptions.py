"""Webhook subscriptions (admin only): register, list, delete, send a test event, inspect
deliveries."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Annotated

import msgspec
from litestar import Controller, delete, get, post
from litestar.di import NamedDependency
from litestar.exceptions import HTTPException, NotFoundException, ValidationException
from litestar.params import FromPath, JSONBody, QueryParameter

from api.auth import ADMINS, requires
from api.deps import Deps, checked_id
from api.webhooks import store
from api.webhooks.address import MAX_URL, Refused, allow_list, check_registration
from api.webhooks.ping import TYPE as PING_TYPE
from api.webhooks.ping import ping_event
from api.webhooks.signing import new_secret, secret_problem
from events.base import Actor, Id
from events.catalog import STREAM_TYPES

Url = Annotated[str, msgspec.Meta(min_length=1, max_length=MAX_URL)]
Secret = Annotated[str, msgspec.Meta(min_length=16, max_length=200)]
Limit = Annotated[int, QueryParameter(ge=1, le=500, description="how many, newest first")]


class SubscriptionBody(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """`event_types` are CloudEvents types (empty = every event). `secret` signs each body:
    leave it out and Tollgate makes a `whsec_...` one, returned once."""

    url: Url
    secret: Secret | None = None
    event_types: Annotated[list[str], msgspec.Meta(max_length=200)] = []
    initiative_id: Id | None = None


class NewSubscription(store.Subscription, kw_only=True):
    secret: str


class QueuedTest(msgspec.Struct, kw_only=True):
    delivery_id: int
    event_id: str
    event_type: str = PING_TYPE


def invalid(field: str, message: str) -> ValidationException:
    return ValidationException(
        message, extra=[{"key": field, "source": "body", "message": message}]
    )


async def checked_body(data: SubscriptionBody, deps: Deps) -> str:
    """The secret to store, once the URL, secret and event types passed."""
    try:
        await check_registration(data.url, allow_list(deps.settings.webhook_allow))
    except Refused as exc:
        raise invalid("url", str(exc)) from None
    if data.secret is not None and (wrong := secret_problem(data.secret)):
        raise invalid("secret", wrong)
    for unknown in [t for t in data.event_types if t not in STREAM_TYPES][:1]:
        raise invalid("event_types", f"unknown event type {unknown!r}; see /api/v1/asyncapi.json")
    return data.secret or new_secret()


class SubscriptionController(Controller):
    path = "/subscriptions"
    tags = ["webhooks"]
    guards = [requires(*ADMINS)]

    @post("/", operation_id="createSubscription", status_code=201)
    async def create(
        self,
        deps: NamedDependency[Deps],
        actor: NamedDependency[Actor],
        data: JSONBody[SubscriptionBody],
    ) -> NewSubscription:
        """Register a webhook: every matching lifecycle event is POSTed to `url` as CloudEvent
        JSON, signed the Standard Webhooks way (`webhook-id`, `webhook-timestamp`,
        `webhook-signature`; the deprecated `Tollgate-Signature` too, for one more version),
        retried with exponential backoff; the subscription is disabled after repeated
        failures. `url` must be http(s) and reach a public address (422 otherwise) unless
        TOLLGATE_WEBHOOK_ALLOW names it. The reply carries the secret: keep it."""
        secret = await checked_body(data, deps)
        created = await store.create(
            deps.pool,
            url=data.url,
            event_types=sorted(set(data.event_types)),
            secret=secret,
            initiative_id=data.initiative_id,
            created_by=actor.id,
        )
        return NewSubscription(**msgspec.structs.asdict(created), secret=secret)

    @get("/", operation_id="listSubscriptions")
    async def listing(self, deps: NamedDependency[Deps]) -> list[store.Subscription]:
        """Every subscription that was not deleted, with its status and failure count."""
        return await store.listing(deps.pool)

    @get("/{subscription_id:str}", operation_id="getSubscription")
    async def get_one(
        self, deps: NamedDependency[Deps], subscription_id: FromPath[str]
    ) -> store.Subscription:
        """One subscription."""
        found = await store.get(deps.pool, checked_id(subscription_id, "subscription"))
        if found is None:
            raise NotFoundException(f"no subscription {subscription_id}")
        return found

    @delete("/{subscription_id:str}", operation_id="deleteSubscription", status_code=204)
    async def remove(self, deps: NamedDependency[Deps], subscription_id: FromPath[str]) -> None:
        """Stop delivering to this subscription (its delivery history stays readable)."""
        if not await store.delete(deps.pool, checked_id(subscription_id, "subscription")):
            raise NotFoundException(f"no subscription {subscription_id}")

    @post(
        "/{subscription_id:str}/test",
        operation_id="sendTestEvent",
        status_code=202,
    )
    async def send_test(
        self,
        deps: NamedDependency[Deps],
        actor: NamedDependency[Actor],
        subscription_id: FromPath[str],
    ) -> QueuedTest:
        """Queue a test event (`io.tollgate.system.webhook_test.v1`, its `subject` the
        subscription id) for this subscription only, whatever its event types; it is
        delivered and signed like any other. Follow it by its `delivery_id` in the
        deliveries list. 409 when the subscription is disabled."""
        found = await store.get(deps.pool, checked_id(subscription_id, "subscription"))
        if found is None:
            raise NotFoundException(f"no subscription {subscription_id}")
        if found.status != "active":
            raise HTTPException(status_code=409, detail=f"the subscription is {found.status}")
        event = ping_event(found.subscription_id, actor, str(uuid.uuid4()), datetime.now(UTC))
        body = msgspec.json.encode(event)
        delivery_id = await store.queue_one(
            deps.pool, found.subscription_id, event.id, event.type, body
        )
        return QueuedTest(delivery_id=delivery_id, event_id=event.id)

    @get("/{subscription_id:str}/deliveries", operation_id="listDeliveries")
    async def deliveries(
        self, deps: NamedDependency[Deps], subscription_id: FromPath[str], limit: Limit = 50
    ) -> list[store.Delivery]:
        """The latest `limit` deliveries (default 50, at most 500), newest first: status,
        attempts, last HTTP status, and a class of error (never a socket's message)."""
        if await store.get(deps.pool, checked_id(subscription_id, "subscription")) is None:
            raise NotFoundException(f"no subscription {subscription_id}")
        return await store.deliveries(deps.pool, subscription_id, limit)
