"""Commands over NATS request/reply: each stage is a NATS service `tollgate-{stage}`.

Endpoints answer on `tollgate.cmd.{stage}.{command}` in the service's queue group,
so replicas share the requests. Request subjects sit outside the event stream.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Iterable, Mapping

import msgspec
import nats.errors
from nats import micro
from nats.aio.client import Client
from nats.micro.request import Request
from nats.micro.service import Service

from events.errors import NOT_OPEN
from events.replies import (
    LOCATE,
    REPLY_DECODER,
    WHEREABOUTS_DECODER,
    CommandReply,
    Locate,
    Whereabouts,
)
from events.subjects import Subjects
from infra import tracing

log = logging.getLogger(__name__)
Handle = Callable[[str, bytes, Mapping[str, str]], Awaitable[bytes]]


class ServiceUnavailable(Exception):
    """The stage service did not answer in time, is not running, or the broker is down.
    `maybe_applied`: the request reached a service that did not answer in time, so the
    command may still be applied (a retry with the same Idempotency-Key is safe)."""

    def __init__(self, detail: str, *, maybe_applied: bool = False) -> None:
        super().__init__(detail)
        self.maybe_applied = maybe_applied


async def serve(
    nc: Client, subjects: Subjects, stage: str, commands: Iterable[str], handle: Handle
) -> Service:
    service = await micro.add_service(
        nc,
        name=subjects.service(stage),
        version="1.0.0",
        description=f"Tollgate {stage} stage commands",
    )
    group = service.add_group(name=subjects.command_group(stage))
    for name in commands:
        await group.add_endpoint(name=name, handler=_endpoint(name, handle))
    return service


IN_FLIGHT = 64  # requests one endpoint of one process answers at a time


def _endpoint(name: str, handle: Handle) -> Callable[[Request], Awaitable[None]]:
    """nats-py runs a subscription's callbacks one after another, so each request is answered
    in a task of its own: a command waiting for its events to be published (most of its time)
    no longer holds up the next one. Past IN_FLIGHT the subscription waits (backpressure)."""
    slots = asyncio.Semaphore(IN_FLIGHT)
    running: set[asyncio.Task[None]] = set()

    async def answer(request: Request) -> None:
        try:
            await on_request(request)
        except Exception:  # as nats-py would have: log it (the sender times out, and retries)
            log.exception("answering %s", request.subject)
        finally:
            slots.release()

    async def dispatch(request: Request) -> None:
        await slots.acquire()
        task = asyncio.create_task(answer(request))
        running.add(task)
        task.add_done_callback(running.discard)

    async def on_request(request: Request) -> None:
        headers = request.headers or {}
        # tracing: the command's span continues the sender's trace (traceparent header)
        attributes = {"messaging.destination.name": request.subject}
        with tracing.span(
            f"process {request.subject}", "server", headers=headers, attributes=attributes
        ):
            await request.respond(await handle(name, request.data, headers))

    return dispatch


async def send(
    nc: Client,
    subjects: Subjects,
    stage: str,
    command: str,
    body: bytes,
    *,
    headers: Mapping[str, str] | None = None,
    timeout: float = 5.0,
    open_wait: float = 0.0,
) -> CommandReply:
    """Send one command. For up to `open_wait` seconds, a reply saying the stage has not
    opened yet (its opening is on its way over JetStream) is retried."""
    deadline = time.monotonic() + open_wait
    while True:
        reply = await _send_once(nc, subjects.command(stage, command), body, headers, timeout)
        error = reply.error
        if error is None or NOT_OPEN not in error.detail or time.monotonic() > deadline:
            return reply
        await asyncio.sleep(0.05)


async def _send_once(
    nc: Client, subject: str, body: bytes, headers: Mapping[str, str] | None, timeout: float
) -> CommandReply:
    data = await request(nc, subject, body, headers, timeout)
    stage = subject.split(".")[-2]
    try:
        reply = REPLY_DECODER.decode(data)
    except msgspec.DecodeError:  # a handler that crashed answers with nothing
        raise ServiceUnavailable(f"the {stage} service failed", maybe_applied=True) from None
    if reply.error is not None and reply.error.code == "unavailable":
        raise ServiceUnavailable(reply.error.detail, maybe_applied=True)
    return reply


async def request(
    nc: Client, subject: str, body: bytes, headers: Mapping[str, str] | None, timeout: float
) -> bytes:
    """One request/reply; a broker that is down fails at once, not after `timeout`."""
    stage = subject.split(".")[-2]
    if not nc.is_connected:
        raise ServiceUnavailable("the message broker (NATS) is unreachable")
    try:
        # tracing: the request's span travels to the service in its traceparent header
        with tracing.span(f"request {subject}", "client"):
            traced = tracing.inject(headers)
            msg = await nc.request(subject, body, timeout=timeout, headers=traced)
    except nats.errors.NoRespondersError:
        raise ServiceUnavailable(f"the {stage} service is not running") from None
    except nats.errors.TimeoutError:
        detail = f"the {stage} service did not answer in {timeout:g}s"
        raise ServiceUnavailable(detail, maybe_applied=True) from None
    except (nats.errors.ConnectionClosedError, nats.errors.ConnectionReconnectingError):
        raise ServiceUnavailable("the message broker (NATS) is unreachable") from None
    return bytes(msg.data)


async def locate(
    nc: Client, subjects: Subjects, stage: str, initiative_id: str, timeout: float,
    *, kpi_id: str | None = None,
) -> Whereabouts:  # fmt: skip
    """Where an initiative stands in one stage, as that stage's service knows it."""
    body = msgspec.json.encode(Locate(initiative_id=initiative_id, kpi_id=kpi_id))
    data = await request(nc, subjects.command(stage, LOCATE), body, None, timeout)
    try:
        return WHEREABOUTS_DECODER.decode(data)
    except msgspec.DecodeError:  # the service failed and said so instead
        raise ServiceUnavailable(f"the {stage} service could not tell where it stands") from None
