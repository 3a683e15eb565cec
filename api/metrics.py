"""Prometheus metrics: requests, commands by outcome, projection lag."""

from __future__ import annotations

import time
from typing import Any

from litestar.enums import ScopeType
from litestar.types import ASGIApp, Message, Receive, Scope, Send
from prometheus_client import CONTENT_TYPE_LATEST, Counter, Gauge, Histogram, generate_latest

REQUESTS = Counter("tollgate_http_requests_total", "HTTP requests", ["method", "route", "status"])
LATENCY = Histogram("tollgate_http_request_seconds", "HTTP request latency", ["method", "route"])
COMMANDS = Counter(
    "tollgate_commands_total", "Commands sent to stage services", ["stage", "command", "outcome"]
)
LAG = Gauge("tollgate_projection_lag_events", "Events the read models have not applied yet")
RELAY_BLOCKED = Gauge(
    "tollgate_relay_blocked_seconds",
    "Age of the oldest writing transaction in the database, which holds back the outbox relays",
)
WEBHOOKS = Counter("tollgate_webhook_attempts_total", "Webhook delivery attempts", ["outcome"])
CONTENT_TYPE = CONTENT_TYPE_LATEST


def exposition() -> bytes:
    return bytes(generate_latest())


def metrics_middleware(app: ASGIApp) -> ASGIApp:
    """Counts and times every HTTP request by its route template (not the raw path)."""

    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP:
            await app(scope, receive, send)
            return
        started = time.perf_counter()
        status = [500]

        async def send_wrapper(message: Message) -> None:
            if message["type"] == "http.response.start":
                status[0] = int(message["status"])
            await send(message)

        try:
            await app(scope, receive, send_wrapper)
        finally:
            route = _route(scope)
            method = str(scope.get("method", ""))
            REQUESTS.labels(method=method, route=route, status=str(status[0])).inc()
            LATENCY.labels(method=method, route=route).observe(time.perf_counter() - started)

    return middleware


def _route(scope: Any) -> str:
    template = scope.get("path_template")
    return str(template) if template else "unmatched"
