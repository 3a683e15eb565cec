"""Webhook delivery: a durable JetStream consumer queues deliveries (exactly once, in the
statement that tracks the event); a loop POSTs them in order per subscription.

Each POST carries the CloudEvent JSON (`application/cloudevents+json`), signed the Standard
Webhooks way (signing.py), plus the deprecated `Tollgate-Signature` for one more version.
It goes only to an address checked right before it (transport.py), and redirects are not
followed: a 3xx is a failed attempt. A failed attempt records a class of error, never the
socket's message, so the deliveries list cannot tell a closed port from a filtered one.
A failed attempt is retried after base * 2^(attempts-1) seconds (capped); a delivery gives
up after `max_attempts`, and a subscription is disabled after `disable_after` failed
attempts in a row. The queue lives in PostgreSQL, so deliveries survive a restart.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any, Protocol

import httpx
import msgspec

from api.metrics import WEBHOOKS
from api.webhooks import store
from api.webhooks.address import AllowList, Refused, Resolver, Unresolved, system_resolve
from api.webhooks.signing import LEGACY, legacy_signature, signed_headers
from api.webhooks.transport import CheckedTransport
from events.envelope import CloudEvent
from infra.consumer import Needed, Statement
from infra.db import Pool

log = logging.getLogger(__name__)


class Executor(Protocol):
    async def execute(self, query: str, *args: object) -> str: ...


SIGNATURE = LEGACY  # deprecated, sent for one more version
NO_RESPONSE = "delivery failed: no HTTP response (connection or timeout)"
UNRESOLVED = "delivery failed: the host name did not resolve"
_ENCODE = msgspec.json.Encoder()

_DUE = """
SELECT s.subscription_id, s.url, s.secret, d.delivery_id, d.body, d.attempts, d.event_id::text
FROM api.subscriptions s
JOIN LATERAL (SELECT * FROM api.deliveries d WHERE d.subscription_id = s.subscription_id
              AND d.status = 'pending' ORDER BY d.delivery_id LIMIT 1) d ON true
WHERE s.status = 'active' AND d.next_attempt_at <= now()
"""


def signature(secret: str, body: bytes) -> str:
    """The deprecated `Tollgate-Signature` value."""
    return legacy_signature(secret, body)


def backoff(attempts: int, base: float, cap: float) -> float:
    """Seconds before the next attempt after `attempts` failed ones."""
    return float(min(cap, base * 2 ** max(0, attempts - 1)))


def _delivery(event: CloudEvent) -> tuple[object, ...]:
    return event.type, event.subject, _ENCODE.encode(event)


# The consumer's handler: one pending delivery per interested subscription, queued by the
# statement that tracks the event (one round trip per event, no transaction to open).
QUEUE_DELIVERIES = Statement(store.FAN_OUT, _delivery)


def wanted(pool: Pool) -> Needed:
    """The consumer's check before its statement: an event no subscription wants is skipped
    untracked. Should it come again once a subscription wants it, that subscription gets it:
    an event from just before it subscribed, which a first delivery that late gives too."""

    async def check(events: Sequence[tuple[CloudEvent, int]]) -> list[bool]:
        types, subjects = [e.type for e, _ in events], [e.subject for e, _ in events]
        wanted = {row[0] for row in await pool.fetch(store.WANTED, types, subjects)}
        return [n in wanted for n in range(1, len(events) + 1)]

    return check


class Deliverer:
    def __init__(
        self,
        pool: Pool,
        *,
        allow: AllowList | None = None,
        resolve: Resolver = system_resolve,
        max_attempts: int = 10,
        disable_after: int = 20,
        base_delay: float = 0.5,
        max_delay: float = 600.0,
        timeout: float = 5.0,
        poll: float = 0.2,
    ) -> None:
        self.pool = pool
        self.allow = allow or AllowList()
        self.resolve = resolve
        self.max_attempts = max_attempts
        self.disable_after = disable_after
        self.base_delay = base_delay
        self.max_delay = max_delay
        self.timeout = timeout
        self.poll = poll

    async def run(self, stop: asyncio.Event) -> None:
        async with self.client() as client:
            while not stop.is_set():
                try:
                    sent = await self.tick(client)
                except Exception:
                    log.exception("webhook delivery round failed")
                    sent = 0
                if not sent:
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(stop.wait(), self.poll)

    def client(self, inner: httpx.AsyncBaseTransport | None = None) -> httpx.AsyncClient:
        """No redirects, no proxies from the environment, only checked addresses."""
        transport = CheckedTransport(self.allow, self.resolve, inner)
        return httpx.AsyncClient(
            transport=transport, timeout=self.timeout, follow_redirects=False, trust_env=False
        )

    async def tick(self, client: httpx.AsyncClient) -> int:
        """One round: the oldest due delivery of each active subscription."""
        rows = await self.pool.fetch(_DUE)
        results = await asyncio.gather(*(self.attempt(client, dict(r)) for r in rows))
        return sum(results)

    async def attempt(self, client: httpx.AsyncClient, due: dict[str, Any]) -> int:
        async with self.pool.acquire() as conn, conn.transaction():
            lock = f"webhook:{due['subscription_id']}"
            if not await conn.fetchval("SELECT pg_try_advisory_xact_lock(hashtext($1))", lock):
                return 0  # another replica is delivering this subscription's queue
            still = await conn.fetchval(
                "SELECT attempts FROM api.deliveries WHERE delivery_id = $1 AND status = 'pending'",
                due["delivery_id"],
            )
            if still != due["attempts"]:
                return 0
            status, error, took = await self.post(client, due)
            await self.record(conn, due, status, error, took)
        return 1

    async def post(
        self, client: httpx.AsyncClient, due: dict[str, Any]
    ) -> tuple[int | None, str | None, int]:
        body = bytes(due["body"])
        headers = {
            "Content-Type": "application/cloudevents+json",
            **signed_headers(due["secret"], due["event_id"], body, datetime.now(UTC)),
            "Tollgate-Delivery": str(due["delivery_id"]),
            "Tollgate-Event-Id": due["event_id"],
        }
        started = time.perf_counter()
        try:
            response = await client.post(due["url"], content=body, headers=headers)
        except Refused as exc:
            return None, f"delivery refused: {exc}"[:500], _ms(started)
        except Unresolved:
            return None, UNRESOLVED, _ms(started)
        except httpx.InvalidURL:
            return None, "delivery refused: not a valid URL", _ms(started)
        except httpx.HTTPError:
            return None, NO_RESPONSE, _ms(started)
        return response.status_code, _failure(response), _ms(started)

    async def record(
        self,
        conn: Executor,
        due: dict[str, Any],
        status: int | None,
        error: str | None,
        took: int,
    ) -> None:
        attempts = int(due["attempts"]) + 1
        await conn.execute(
            "INSERT INTO api.attempts (delivery_id, attempt, status_code, error, duration_ms)"
            " VALUES ($1, $2, $3, $4, $5)",
            due["delivery_id"],
            attempts,
            status,
            error,
            took,
        )
        WEBHOOKS.labels(outcome="ok" if error is None else "failed").inc()
        if error is None:
            await conn.execute(
                "UPDATE api.deliveries SET status = 'delivered', attempts = $2, last_status = $3,"
                " last_error = NULL, delivered_at = now() WHERE delivery_id = $1",
                due["delivery_id"],
                attempts,
                status,
            )
            await conn.execute(
                "UPDATE api.subscriptions SET failures = 0 WHERE subscription_id = $1",
                due["subscription_id"],
            )
            return
        final = attempts >= self.max_attempts
        await conn.execute(
            "UPDATE api.deliveries SET status = $2, attempts = $3, last_status = $4,"
            " last_error = $5, next_attempt_at = now() + make_interval(secs => $6)"
            " WHERE delivery_id = $1",
            due["delivery_id"],
            "failed" if final else "pending",
            attempts,
            status,
            error,
            backoff(attempts, self.base_delay, self.max_delay),
        )
        await conn.execute(
            "UPDATE api.subscriptions SET failures = failures + 1, status = CASE WHEN"
            " failures + 1 >= $2 THEN 'disabled' ELSE status END WHERE subscription_id = $1",
            due["subscription_id"],
            self.disable_after,
        )


def _failure(response: httpx.Response) -> str | None:
    if response.is_success:
        return None
    if response.is_redirect:
        return f"HTTP {response.status_code}: redirects are not followed"
    return f"HTTP {response.status_code}"


def _ms(started: float) -> int:
    return int((time.perf_counter() - started) * 1000)
