"""Webhook subscriptions (admin only): register, list, delete, inspect deliveries."""

from __future__ import annotations

from typing import Annotated

import msgspec
from litestar import Controller, delete, get, post
from litestar.di import NamedDependency
from litestar.exceptions import NotFoundException, ValidationException
from litestar.params import FromPath, JSONBody

from api.auth import ADMINS, requires
from api.deps import Deps, checked_id
from api.webhooks import store
from events.base import Actor, Id
from events.catalog import EVENT_TYPES

Url = Annotated[str, msgspec.Meta(pattern=r"^https?://[^\s]+$", max_length=2000)]
Secret = Annotated[str, msgspec.Meta(min_length=16, max_length=200)]


class SubscriptionBody(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """`event_types` are CloudEvents types (empty = every event); `secret` signs each body."""

    url: Url
    secret: Secret
    event_types: Annotated[list[str], msgspec.Meta(max_length=200)] = []
    initiative_id: Id | None = None


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
    ) -> store.Subscription:
        """Register a webhook: every matching lifecycle event is POSTed to `url` as CloudEvent
        JSON, signed in `Tollgate-Signature: sha256=<HMAC-SHA256 of the body>`, retried with
        exponential backoff; the subscription is disabled after repeated failures."""
        for wrong in [t for t in data.event_types if t not in EVENT_TYPES][:1]:
            message = f"unknown event type {wrong!r}; see /api/v1/asyncapi.json"
            raise ValidationException(
                message, extra=[{"key": "event_types", "source": "body", "message": message}]
            )
        return await store.create(
            deps.pool,
            url=data.url,
            event_types=sorted(set(data.event_types)),
            secret=data.secret,
            initiative_id=data.initiative_id,
            created_by=actor.id,
        )

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

    @get("/{subscription_id:str}/deliveries", operation_id="listDeliveries")
    async def deliveries(
        self, deps: NamedDependency[Deps], subscription_id: FromPath[str]
    ) -> list[store.Delivery]:
        """The latest 100 deliveries, newest first: status, attempts, last HTTP status."""
        if await store.get(deps.pool, checked_id(subscription_id, "subscription")) is None:
            raise NotFoundException(f"no subscription {subscription_id}")
        return await store.deliveries(deps.pool, subscription_id)
