"""NATS JetStream: connection, the TOLLGATE stream, and publishing CloudEvents."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from typing import NamedTuple
from uuid import UUID

import msgspec
import nats
from nats.aio.client import Client
from nats.aio.msg import Msg
from nats.errors import NoRespondersError
from nats.js import JetStreamContext
from nats.js.api import Header, RawStreamMsg, RetentionPolicy, StorageType, StreamConfig
from nats.js.errors import (
    APIError,
    BadRequestError,
    NotFoundError,
    ServerError,
    ServiceUnavailableError,
)

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


ACK_TIMEOUT = 5.0  # seconds a batch waits for its PubAcks


class _ApiError(msgspec.Struct):
    code: int = 0
    err_code: int | None = None
    description: str | None = None


class _PubAck(msgspec.Struct):
    seq: int = 0
    error: _ApiError | None = None


_PUBACK = msgspec.json.Decoder(_PubAck)
_ERRORS: dict[int, type[APIError]] = {
    503: ServiceUnavailableError, 500: ServerError, 404: NotFoundError, 400: BadRequestError,
}  # fmt: skip


def _answer(msg: Msg) -> int | BaseException:
    """A PubAck's sequence, or what JetStream answered instead (nats-py's error classes)."""
    if msg.headers and msg.headers.get(Header.STATUS) == "503":
        return NoRespondersError()  # no JetStream listens on the subject
    try:
        ack = _PUBACK.decode(msg.data)
    except msgspec.DecodeError as exc:
        return exc
    if (e := ack.error) is None:
        return ack.seq
    return _ERRORS.get(e.code, APIError)(e.code, e.description, e.err_code)


class _Batch:
    """The PubAcks of one batch of publishes, by index."""

    __slots__ = ("answers", "done", "expected", "failure", "received")

    def __init__(self, size: int) -> None:
        self.answers: list[int | BaseException | None] = [None] * size
        self.expected = size
        self.received = 0
        self.failure: BaseException | None = None  # why a publish could not be sent
        self.done: asyncio.Future[None] = asyncio.get_running_loop().create_future()

    def answer(self, index: int, answer: int | BaseException) -> None:
        if index >= len(self.answers):
            return
        if self.answers[index] is None:
            self.received += 1
        self.answers[index] = answer
        self._settle()

    def sent(self, count: int, failure: BaseException | None = None) -> None:
        self.expected, self.failure = count, failure
        self._settle()

    def _settle(self) -> None:
        if self.received >= self.expected and not self.done.done():
            self.done.set_result(None)

    def acknowledged(self) -> list[int]:
        """The sequences of the acknowledged prefix; raises what stopped the first event."""
        acked: list[int] = []
        for answer in self.answers:
            if not isinstance(answer, int):
                break
            acked.append(answer)
        if acked:
            return acked
        first = self.answers[0] if self.answers else None
        if isinstance(first, BaseException):
            raise first
        raise self.failure or TimeoutError(f"no PubAck within {ACK_TIMEOUT} s")


class Message(NamedTuple):
    subject: str
    body: bytes
    headers: dict[str, str]


class Batches:
    """Publishes batches of messages to JetStream and waits for their PubAcks.

    A batch goes out as plain NATS messages whose reply subjects name the batch and the
    message, on one connection (which keeps their order), and one subscription gathers the
    PubAcks: no request, future, timer or task per message (nats-py's `js.publish` makes
    each, and for the relay they cost more than all the rest)."""

    def __init__(self, nc: Client) -> None:
        self.nc = nc
        self._inbox = nc.new_inbox()
        self._listening = False
        self._number = 0  # of the current batch: a late answer to an earlier one is dropped
        self._batch: _Batch | None = None
        self._one_at_a_time = asyncio.Lock()  # answers are matched to the current batch

    async def _on_answer(self, msg: Msg) -> None:
        number, _, index = msg.subject[len(self._inbox) + 1 :].partition(".")
        batch = self._batch
        if batch is not None and number == str(self._number) and index.isdigit():
            batch.answer(int(index), _answer(msg))

    async def publish(self, messages: Iterable[Message], size: int) -> list[int]:
        """Publish `size` messages in order and wait for their PubAcks (a duplicate's is its
        original sequence). Returns the sequences of the acknowledged prefix: the first
        message without one, and every one after it, may or may not be stored. Raises
        when not even the first was acknowledged (what JetStream answered, or why it could
        not be sent, made or acknowledged in time)."""
        async with self._one_at_a_time:
            return await self._publish(messages, size)

    async def _publish(self, messages: Iterable[Message], size: int) -> list[int]:
        if not self._listening:
            await self.nc.subscribe(f"{self._inbox}.*.*", cb=self._on_answer)
            self._listening = True
        self._number += 1
        batch = self._batch = _Batch(size)
        reply = f"{self._inbox}.{self._number}."
        sent = 0
        try:
            for subject, body, headers in messages:  # made here: one that fails ends the batch
                await self.nc.publish(subject, body, reply=f"{reply}{sent}", headers=headers)
                sent += 1
        except Exception as exc:  # the connection is closed, its buffer full, ...
            batch.sent(sent, exc)
        else:
            batch.sent(sent)
        try:
            await asyncio.wait((batch.done,), timeout=ACK_TIMEOUT)
        finally:
            self._batch = None
        return batch.acknowledged()


class Publisher:
    """Publishes recorded events as structured-mode CloudEvents, deduplicated by event id."""

    def __init__(self, nc: Client, subjects: Subjects) -> None:
        self.js = nc.jetstream()
        self.subjects = subjects
        self.batches = Batches(nc)

    async def publish_all(self, events: list[RecordedEvent]) -> list[int]:
        """Publish in order; returns the sequences of the acknowledged prefix: after a
        failure, the caller resumes at the first event without a PubAck (a later one that
        did land is deduplicated). Raises when not even the first was acknowledged."""
        return await self.batches.publish(map(self._message, events), len(events))

    def _message(self, event: RecordedEvent) -> Message:
        stage, name, _ = type_parts(event.type)
        subject = self.subjects.event(stage, name, event.stream_id)
        cloudevent = to_cloudevent(event)
        # tracing: the publish joins the command's trace; consumers continue from the header
        attributes = {"messaging.destination.name": subject, "messaging.message.id": cloudevent.id}
        with tracing.continued(
            f"publish {subject}", "producer", cloudevent.traceparent, attributes
        ):
            headers = tracing.inject({Header.MSG_ID: cloudevent.id})
        return Message(subject, _ENCODE.encode(cloudevent), headers)

    async def last_event_id(self, stage: str) -> UUID | None:
        """The event id of the last message on a stage's subjects (None if there is none)."""
        try:
            msg = await self.js.get_last_msg(
                self.subjects.stream, self.subjects.stage_events(stage)
            )
        except NotFoundError:
            return None
        return _event_id(msg)

    async def ids_after(self, stage: str, seq: int, limit: int) -> dict[UUID, int] | None:
        """The event ids on a stage's subjects after stream sequence `seq`, with their
        sequences; None when there are more than `limit` messages (one request each)."""
        found: dict[UUID, int] = {}
        subject = self.subjects.stage_events(stage)
        for _ in range(limit + 1):
            try:
                msg = await self.js.get_msg(
                    self.subjects.stream, seq=seq + 1, subject=subject, next=True
                )
            except NotFoundError:
                return found
            seq = msg.seq or seq + 1
            event_id = _event_id(msg)
            if event_id is not None:
                found[event_id] = seq
        return None


def _event_id(msg: RawStreamMsg) -> UUID | None:
    """The event id a message carries; None for one that is not an event (a foreign
    publisher's, say): it is not the relay's to find or to publish."""
    headers = msg.headers or {}
    try:
        if Header.MSG_ID in headers:
            return UUID(headers[Header.MSG_ID])
        return UUID(_ID.decode(msg.data or b"{}").id)
    except (ValueError, msgspec.DecodeError):
        return None
