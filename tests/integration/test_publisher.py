"""The relay's publisher against the real JetStream: a batch's PubAcks are gathered by one
subscription, in order, and what JetStream refuses stops the acknowledged prefix there."""

from __future__ import annotations

import time
import uuid
from dataclasses import replace
from datetime import UTC, datetime

import nats
import pytest
from nats.aio.msg import Msg
from nats.errors import NoRespondersError
from nats.js.errors import BadRequestError

from infra import bus as bus_module
from infra.bus import Batches, Message, Publisher, ensure_stream
from infra.eventstore import RecordedEvent
from infra.settings import Settings
from tests.integration.bus import own_bus, own_stream


def recorded(n: int, data: bytes = b'{"n": 1}') -> RecordedEvent:
    kind = "io.tollgate.ideation.test_happened.v1"
    return RecordedEvent(n, 1, f"init-{n % 3}", n, uuid.uuid4(), kind, datetime.now(UTC),
                         time.time(), data, b'{"actor": "t"}')  # fmt: skip


async def test_a_batch_lands_in_order_and_a_repeat_gets_the_original_sequences(
    settings: Settings,
):
    async with own_stream(settings) as (bus, js):
        nc = await nats.connect(bus.nats_url)
        publisher = Publisher(nc, bus.subjects)
        events = [recorded(n) for n in range(1, 301)]
        sequences = await publisher.publish_all(events)
        assert sequences == list(range(1, 301))
        again = await publisher.publish_all(events[100:150])  # a relay that lost its checkpoint
        assert again == list(range(101, 151))
        assert (await js.stream_info(bus.stream)).state.messages == 300
        for seq in (1, 150, 300):
            msg = await js.get_msg(bus.stream, seq)
            assert msg.headers is not None
            assert msg.headers["Nats-Msg-Id"] == str(events[seq - 1].event_id)
        await nc.close()


async def test_an_event_jetstream_refuses_ends_the_acknowledged_prefix(settings: Settings):
    bus = own_bus(settings)
    nc = await nats.connect(bus.nats_url)
    js = nc.jetstream()
    await ensure_stream(js, bus.subjects)
    config = (await js.stream_info(bus.stream)).config
    await js.update_stream(replace(config, max_msg_size=4096))
    try:
        publisher = Publisher(nc, bus.subjects)
        big = b'{"text": "%s"}' % (b"x" * 8000)
        events = [recorded(1), recorded(2), recorded(3, big), recorded(4)]
        assert await publisher.publish_all(events) == [1, 2]
        # the relay resumes at the refused event: its error is raised, nothing is skipped
        with pytest.raises(BadRequestError, match="maximum"):
            await publisher.publish_all(events[2:])
    finally:
        await js.delete_stream(bus.stream)
        await nc.close()


async def test_without_a_stream_the_first_publish_raises(settings: Settings):
    bus = own_bus(settings)  # no stream listens on its subjects
    nc = await nats.connect(bus.nats_url)
    with pytest.raises(NoRespondersError):
        await Publisher(nc, bus.subjects).publish_all([recorded(1), recorded(2)])
    await nc.close()


async def test_a_closed_connection_raises_rather_than_returning_nothing(settings: Settings):
    async with own_stream(settings) as (bus, _js):
        nc = await nats.connect(bus.nats_url)
        publisher = Publisher(nc, bus.subjects)
        assert await publisher.publish_all([recorded(1)]) == [1]
        await nc.close()
        with pytest.raises(nats.errors.ConnectionClosedError):
            await publisher.publish_all([recorded(2)])


async def test_an_unanswered_publish_ends_the_prefix_and_its_late_answer_is_dropped(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
):
    """A scripted responder on the real NATS plays JetStream. It holds back the answer to
    the first batch's second message past the timeout, and sends it during the next batch,
    whose own second message it never answers: the late answer must not stand in for it."""
    monkeypatch.setattr(bus_module, "ACK_TIMEOUT", 0.3)
    nc = await nats.connect(settings.nats_url)
    subject = f"scripted.{uuid.uuid4().hex}"
    held: list[str] = []

    async def answer(msg: Msg) -> None:
        n = int(msg.data)
        if n == 20:  # the next batch's first message: the late answer goes out first
            await nc.publish(held[0], b'{"stream": "S", "seq": 99}')
        if (n == 2 and not held) or n == 30:  # no answer within the timeout
            held.append(msg.reply)
            return
        await nc.publish(msg.reply, b'{"stream": "S", "seq": %d}' % n)

    await nc.subscribe(subject, cb=answer)
    batches = Batches(nc)

    def messages(*numbers: int) -> list[Message]:
        return [Message(subject, str(n).encode(), {}) for n in numbers]

    started = time.monotonic()
    assert await batches.publish(messages(1, 2, 3), 3) == [1]
    assert 0.3 <= time.monotonic() - started < 4.0, "the batch waited its timeout, not more"
    assert await batches.publish(messages(20, 30), 2) == [20]
    assert await batches.publish(messages(4, 5), 2) == [4, 5]
    with pytest.raises(TimeoutError, match="no PubAck"):  # not even the first answered
        await batches.publish(messages(30), 1)
    await nc.close()
