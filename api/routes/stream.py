"""Live lifecycle events as server-sent events, filtered by initiative, stage and type."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import AsyncIterator
from typing import get_args

import msgspec
from litestar import Controller, get
from litestar.di import NamedDependency
from litestar.exceptions import ValidationException
from litestar.openapi import ResponseSpec
from litestar.params import FromQuery
from litestar.response import ServerSentEvent
from litestar.response.sse import ServerSentEventMessage

from api.auth import READERS, requires
from api.deps import Deps, checked_id
from events.base import Category, type_parts
from events.catalog import STREAM_TYPES
from events.subjects import Subjects


class Head(msgspec.Struct):
    id: str
    type: str


_HEAD = msgspec.json.Decoder(Head)
REMEMBERED = 10_000
CATEGORIES: tuple[str, ...] = tuple(  # the stages, and the agents' and trends' own streams
    a for arg in get_args(Category) for a in (get_args(arg) or (arg,))
)
SSE = "text/event-stream"


def subject_for(subjects: Subjects, initiative_id: str | None, types: list[str],
                stage: str | None) -> str:  # fmt: skip
    """The narrowest NATS subject that still carries every wanted event."""
    name = "*"
    if len(types) == 1:
        stage, name, _ = type_parts(types[0])
    return f"{subjects.root}.events.{stage or '*'}.{name}.{initiative_id or '*'}"


async def messages(
    source: AsyncIterator[bytes], types: list[str]
) -> AsyncIterator[ServerSentEventMessage]:
    """SSE messages named by event type, with the CloudEvent JSON as data. An event the
    outbox relay republished reaches a live subscriber twice: sent once, by event id."""
    seen: OrderedDict[str, None] = OrderedDict()
    async for body in source:
        try:
            head = _HEAD.decode(body)
        except msgspec.DecodeError:
            continue
        if (types and head.type not in types) or head.id in seen:
            continue
        seen[head.id] = None
        if len(seen) > REMEMBERED:
            seen.popitem(last=False)
        yield ServerSentEventMessage(data=body.decode(), event=head.type, id=head.id)


class StreamController(Controller):
    path = "/events"
    tags = ["events"]

    @get(
        "/stream",
        operation_id="streamEvents",
        guards=[requires(*READERS)],
        responses={
            200: ResponseSpec(
                str, generate_examples=False, description="Server-sent events", media_type=SSE
            )
        },
    )
    async def stream(
        self,
        deps: NamedDependency[Deps],
        initiative_id: FromQuery[str | None] = None,
        type: FromQuery[list[str] | None] = None,
        stage: FromQuery[str | None] = None,
    ) -> ServerSentEvent:
        """Server-sent events of lifecycle events from now on. Each message's `event` is the
        CloudEvents type, its `id` the event id and its `data` the CloudEvent JSON.
        Filters: `initiative_id` (or a trend's or agent's id), `stage` (a stage, `agents` or
        `trends`), and `type` (repeatable)."""
        types = type or []
        for wrong in [t for t in types if t not in STREAM_TYPES][:1]:
            raise _bad("type", f"unknown event type {wrong!r}; see /api/v1/asyncapi.json")
        if stage is not None and stage not in CATEGORIES:
            raise _bad("stage", f"unknown stage {stage!r}; one of {', '.join(CATEGORIES)}")
        if initiative_id is not None:
            checked_id(initiative_id)
        subject = subject_for(deps.settings.subjects, initiative_id, types, stage)
        return ServerSentEvent(messages(deps.broker.watch(subject), types))


def _bad(key: str, message: str) -> ValidationException:
    return ValidationException(message, extra=[{"key": key, "source": "query", "message": message}])
