"""Webhook subscriptions and their deliveries in schema `api`."""

from __future__ import annotations

import uuid
from datetime import datetime

import msgspec

from infra.consumer import TRACKED
from infra.db import Pool

_COLUMNS = (
    "subscription_id, url, event_types, initiative_id, created_by, created_at, status, failures"
)


class Subscription(msgspec.Struct, kw_only=True):
    subscription_id: str
    url: str
    event_types: list[str]
    initiative_id: str | None
    created_by: str
    created_at: datetime
    status: str
    failures: int


class Delivery(msgspec.Struct, kw_only=True):
    delivery_id: int
    event_id: str
    event_type: str
    status: str
    attempts: int
    last_status: int | None
    last_error: str | None
    created_at: datetime
    delivered_at: datetime | None
    next_attempt_at: datetime


def _subscription(row: object) -> Subscription:
    values = dict(row)  # type: ignore[call-overload]
    values["subscription_id"] = str(values["subscription_id"])
    return msgspec.convert(values, Subscription)


async def create(
    pool: Pool,
    *,
    url: str,
    event_types: list[str],
    secret: str,
    initiative_id: str | None,
    created_by: str,
) -> Subscription:
    row = await pool.fetchrow(
        f"INSERT INTO api.subscriptions (subscription_id, url, event_types, initiative_id,"
        f" secret, created_by) VALUES ($1, $2, $3, $4, $5, $6) RETURNING {_COLUMNS}",
        uuid.uuid4(),
        url,
        event_types,
        initiative_id,
        secret,
        created_by,
    )
    return _subscription(row)


async def listing(pool: Pool) -> list[Subscription]:
    rows = await pool.fetch(
        f"SELECT {_COLUMNS} FROM api.subscriptions WHERE status <> 'deleted' ORDER BY created_at"
    )
    return [_subscription(r) for r in rows]


async def get(pool: Pool, subscription_id: str) -> Subscription | None:
    try:
        key = uuid.UUID(subscription_id)
    except ValueError:
        return None
    row = await pool.fetchrow(
        f"SELECT {_COLUMNS} FROM api.subscriptions WHERE subscription_id = $1"
        " AND status <> 'deleted'",
        key,
    )
    return _subscription(row) if row else None


async def delete(pool: Pool, subscription_id: str) -> bool:
    """Marks it deleted (its deliveries stay visible as history); False when unknown."""
    if await get(pool, subscription_id) is None:
        return False
    await pool.execute(
        "UPDATE api.subscriptions SET status = 'deleted' WHERE subscription_id = $1",
        uuid.UUID(subscription_id),
    )
    return True


async def deliveries(pool: Pool, subscription_id: str, limit: int = 50) -> list[Delivery]:
    rows = await pool.fetch(
        "SELECT delivery_id, event_id::text, event_type, status, attempts, last_status,"
        " last_error, created_at, delivered_at, next_attempt_at FROM api.deliveries"
        " WHERE subscription_id = $1 ORDER BY delivery_id DESC LIMIT $2",
        uuid.UUID(subscription_id),
        limit,
    )
    return [msgspec.convert(dict(r), Delivery) for r in rows]


async def queue_one(
    pool: Pool, subscription_id: str, event_id: str, event_type: str, body: bytes
) -> int:
    """Queue one delivery to this subscription only (the test event); its delivery id."""
    delivery_id: int = await pool.fetchval(
        "INSERT INTO api.deliveries (subscription_id, event_id, event_type, body)"
        " VALUES ($1, $2, $3, $4) RETURNING delivery_id",
        uuid.UUID(subscription_id),
        uuid.UUID(event_id),
        event_type,
        body,
    )
    return delivery_id


def _wanting(event_type: str, initiative: str) -> str:
    """The active subscriptions that want an event of that type on that initiative."""
    return (
        f"status = 'active' AND (cardinality(event_types) = 0 OR {event_type} = ANY(event_types))"
        f" AND (initiative_id IS NULL OR initiative_id = {initiative})"
    )


# The fan-out consumer's handler, run as one statement with its tracking insert
# (infra/consumer.py `Statement`): $2 the event id, $3 its type, $4 its initiative, $5 the body.
FAN_OUT = (
    "INSERT INTO api.deliveries (subscription_id, event_id, event_type, body)"
    " SELECT subscription_id, $2, $3, $5 FROM api.subscriptions"
    f" WHERE EXISTS (SELECT FROM {TRACKED}) AND {_wanting('$3', '$4')}"
    " ON CONFLICT (subscription_id, event_id) DO NOTHING"
)
# Which of some events any subscription wants ($1 their types, $2 their initiatives): the
# positions (from 1) of those it does. Read only, so an event nobody subscribed to costs no
# write, no tracking row and no commit to flush; and one query asks for all delivered ones.
WANTED = (
    "SELECT e.n FROM unnest($1::text[], $2::text[]) WITH ORDINALITY AS e(type, subject, n)"
    f" WHERE EXISTS (SELECT FROM api.subscriptions WHERE {_wanting('e.type', 'e.subject')})"
)
