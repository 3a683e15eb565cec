"""NATS JetStream: connection, the TOLLGATE stream, and publishing CloudEvents."""

from __future__ import annotations

import asyncio
from uuid import UUID

import msgspec
import nats
from nats.aio.client import Client
from nats.js import JetStreamContext
from nats.js.api import Header, RetentionPolicy, StorageType, StreamConfig
from nats.js.errors import BadRequestError, NotFoundError, ServiceUnavailableError

from events.base import type_parts
from events.envelope import SPECVERSION, CloudEvent, Metadata, source_of
from events.subjects import Subjects
from infra import tracing
from infra.eventstore import RecordedEvent

_META = msgspec.json.Decoder(Metadata)


class _Id(msgspec.Struct):
    id: str


_ID = msgspec.json.Decoder(_Id)
_ENCODE = msgspec.json.Encoder()
# seconds; a relay that crashed between a PubAck and its checkpoint republishes within it,
# and after a longer outage it resumes after the last message on the stream instead
DUPLICATE_WINDOW = 600.0


async def connect(url: str, name: str) -> Client:
    """Connect with a bounded first attempt, then reconnect forever."""
    return await asyncio.wait_for(
        nats.connect(
            [u.strip() for u in url.split(",")],
            name=name,
            max_reconnect_attempts=-1,
            reconnect_time_wait=0.5,
            connect_timeout=2,
        ),
        timeout=15,
    )


async def ensure_stream(
    js: JetStreamContext,
    subjects: Subjects,
    replicas: int = 1,
    duplicate_window: float = DUPLICATE_WINDOW,
) -> None:
    config = StreamConfig(
        name=subjects.stream,
        subjects=[subjects.events],
        retention=RetentionPolicy.LIMITS,
        storage=StorageType.FILE,
        duplicate_window=duplicate_window,
        num_replicas=replicas,
    )
    try:
        await js.add_stream(config)
    except BadRequestError as exc:
        if exc.err_code != 10058:
            raise
        await js.update_stream(config)
    if replicas > 1:
        await _until_led(js, subjects.stream)


async def _until_led(js: JetStreamContext, stream: str, timeout: float = 15.0) -> None:
    """On a cluster, a create that raced another process's is answered before the stream
    has a leader, and requests to it then time out, or are answered "stream not found" or
    503 by a server that has not heard of it yet: wait until it answers (bounded; what
    still fails later is retried by its caller)."""
    deadline = asyncio.get_running_loop().time() + timeout
    while asyncio.get_running_loop().time() < deadline:
        try:
            info = await asyncio.wait_for(js.stream_info(stream), 0.5)
        except TimeoutError:
            continue
        except (NotFoundError, ServiceUnavailableError):
            await asyncio.sleep(0.1)
            continue
        if info.cluster is None or info.cluster.leader:
            return
        await asyncio.sleep(0.1)


def to_cloudevent(event: RecordedEvent) -> CloudEvent:
    stage, _, _ = type_parts(event.type)
    meta = _META.decode(event.metadata)
    return CloudEvent(
        specversion=SPECVERSION,
        id=str(event.event_id),
        source=source_of(stage),
        type=event.type,
        subject=event.stream_id,
        time=event.occurred_at,
        data=msgspec.Raw(event.data),
        actor=meta.actor,
        actorkind=meta.actorkind,
        correlationid=meta.correlationid,
        causationid=meta.causationid,
        streamversion=event.version,
        stageposition=event.position,
        traceparent=meta.traceparent,
    )


class Publisher:
    """Publishes recorded events as structured-mode CloudEvents, deduplicated by event id."""

    def __init__(self, js: JetStreamContext, subjects: Subjects) -> None:
        self.js = js
        self.subjects = subjects

    async def publish(self, event: RecordedEvent) -> int:
        """Publish one event; returns its JetStream sequence (the original one on a repeat)."""
        stage, name, _ = type_parts(event.type)
        subject = self.subjects.event(stage, name, event.stream_id)
        cloudevent = to_cloudevent(event)
        body = _ENCODE.encode(cloudevent)
        # tracing: the publish joins the command's trace; consumers continue from the header
        attributes = {"messaging.destination.name": subject, "messaging.message.id": cloudevent.id}
        with tracing.continued(
            f"publish {subject}", "producer", cloudevent.traceparent, attributes
        ):
            headers = tracing.inject({Header.MSG_ID: str(event.event_id)})
            ack = await self.js.publish(subject, body, headers=headers, timeout=5)
        return int(ack.seq)

    async def publish_all(self, events: list[RecordedEvent]) -> list[int]:
        """Publish in order; requests are pipelined on one connection, which keeps the order.
        Returns the sequences of the acknowledged prefix: after a failure, the caller resumes
        at the first event without a PubAck (a later one that did land is deduplicated)."""
        results = await asyncio.gather(*(self.publish(e) for e in events), return_exceptions=True)
        acked: list[int] = []
        for result in results:
            if isinstance(result, BaseException):
                if not acked:
                    raise result
                break
            acked.append(result)
        return acked

    async def last_event_id(self, stage: str) -> UUID | None:
        """The event id of the last message on a stage's subjects (None if there is none)."""
        try:
            msg = await self.js.get_last_msg(
                self.subjects.stream, self.subjects.stage_events(stage)
            )
        except NotFoundError:
            return None
        headers = msg.headers or {}
        if Header.MSG_ID in headers:
            return UUID(headers[Header.MSG_ID])
        return UUID(_ID.decode(msg.data or b"{}").id)
