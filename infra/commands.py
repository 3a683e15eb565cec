"""Commands over NATS request/reply: each stage is a NATS service `tollgate-{stage}`.

Endpoints answer on `tollgate.cmd.{stage}.{command}` in the service's queue group,
so replicas share the requests. Request subjects sit outside the event stream.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Iterable, Mapping

import nats.errors
from nats import micro
from nats.aio.client import Client
from nats.micro.request import Request
from nats.micro.service import Service

from events.errors import NOT_OPEN
from events.replies import REPLY_DECODER, CommandReply
from events.subjects import Subjects

Handle = Callable[[str, bytes, Mapping[str, str]], Awaitable[bytes]]


class ServiceUnavailable(Exception):
    """The stage service did not answer in time (or is not running)."""


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


def _endpoint(name: str, handle: Handle) -> Callable[[Request], Awaitable[None]]:
    async def on_request(request: Request) -> None:
        await request.respond(await handle(name, request.data, request.headers or {}))

    return on_request


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
    stage = subject.split(".")[-2]
    try:
        msg = await nc.request(subject, body, timeout=timeout, headers=dict(headers or {}))
    except nats.errors.NoRespondersError:
        raise ServiceUnavailable(f"the {stage} service is not running") from None
    except nats.errors.TimeoutError:
        raise ServiceUnavailable(f"the {stage} service did not answer in {timeout:g}s") from None
    return REPLY_DECODER.decode(msg.data)
