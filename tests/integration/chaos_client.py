"""The chaos test's HTTP client: every command carries an `Idempotency-Key`.

A 503, a connection error or a timeout may mean "applied, but the answer was lost", so
the client retries with the same key, a bounded number of times. Each logical command
is kept in a ledger with the fingerprint of the event it must store, so that the audit
can count how often it was applied.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

import httpx

MAX_ATTEMPTS = 10  # one command's requests: the first and up to nine retries with its key
IN_FLIGHT_WAIT = 90.0  # a 409 "key still in flight" (the API died holding it) is retried so long
TIMEOUT = 15.0  # per request: above the API's routing wait + open wait + command timeout


@dataclass(frozen=True)
class Fingerprint:
    """The event a command stores: schema, type, stream, and a field only it carries."""

    schema: str
    type: str
    stream: str | None = None  # None: found by `field` alone (a proposal's stream is new)
    field: tuple[str, str] | None = None


@dataclass
class Sent:
    """One logical command: its key, what each attempt met, and the final answer."""

    step: str
    key: str
    fingerprint: Fingerprint
    attempts: list[str] = field(default_factory=list)  # "503", "ReadTimeout", "201", ...
    errors: list[str] = field(default_factory=list)  # the detail of every 5xx but 503
    failed: list[tuple[float, float]] = field(default_factory=list)  # (sent, answered) of 5xx,
    # connection errors and timeouts: when this client saw errors
    status: int | None = None  # None: gave up after MAX_ATTEMPTS ambiguous answers
    reply: dict[str, Any] = field(default_factory=dict)
    sent_at: float = field(default_factory=time.monotonic)
    answered_at: float = 0.0  # time.monotonic() of the final answer (0: gave up)

    @property
    def acknowledged(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


class Client:
    """One HTTP client speaking for several users; records every command in `ledger`."""

    def __init__(self, url: str, tokens: dict[str, str], ledger: list[Sent]) -> None:
        self.http = httpx.AsyncClient(base_url=f"{url}/api/v1", timeout=TIMEOUT)
        self.tokens = tokens
        self.ledger = ledger

    async def close(self) -> None:
        await self.http.aclose()

    async def command(
        self, step: str, fp: Fingerprint, path: str, who: str, body: dict[str, Any]
    ) -> Sent:
        sent = Sent(step=step, key=str(uuid.uuid4()), fingerprint=fp)
        self.ledger.append(sent)
        headers = {"Authorization": f"Bearer {self.tokens[who]}", "Idempotency-Key": sent.key}
        attempt, in_flight_until = 0, time.monotonic() + IN_FLIGHT_WAIT
        while attempt < MAX_ATTEMPTS:
            began = time.monotonic()
            try:
                response = await self.http.post(path, json=body, headers=headers)
            except httpx.TransportError as exc:  # refused, reset, timed out: maybe applied
                sent.failed.append((began, time.monotonic()))
                sent.attempts.append(type(exc).__name__)
                await asyncio.sleep(_backoff(attempt, None))
                attempt += 1
                continue
            sent.attempts.append(str(response.status_code))
            if response.status_code >= 500:
                sent.failed.append((began, time.monotonic()))
            retry_after = response.headers.get("Retry-After")
            if response.status_code >= 500 and response.status_code != 503:
                sent.errors.append(f"{response.status_code} {response.text[:160]}")
            if response.status_code == 503:
                await asyncio.sleep(_backoff(attempt, retry_after))
                attempt += 1
                continue
            if _in_flight(response) and time.monotonic() < in_flight_until:
                await asyncio.sleep(_backoff(0, retry_after))  # not an attempt of its own
                continue
            sent.status = response.status_code
            sent.reply = _json(response)
            sent.answered_at = time.monotonic()
            break
        return sent


def _in_flight(response: httpx.Response) -> bool:
    """The idempotency draft's 409: the key's first request is still being handled (a
    domain refusal is a 409 too, but without Retry-After)."""
    return response.status_code == 409 and "Retry-After" in response.headers


def _backoff(attempt: int, retry_after: str | None) -> float:
    wait = min(2.0, 0.2 * 2**attempt)
    if retry_after and retry_after.isdigit():
        wait = max(wait, min(float(retry_after), 3.0))
    return wait


def _json(response: httpx.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        return {"text": response.text[:200]}
    return body if isinstance(body, dict) else {"body": body}
