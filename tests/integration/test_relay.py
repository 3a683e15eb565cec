"""The outbox relay as a real process against real PostgreSQL and NATS."""

from __future__ import annotations

import asyncio
import signal
import sys
from typing import Any

import nats

from infra.bus import Publisher, ensure_stream
from infra.db import create_pool
from infra.eventstore import Checkpoint, EventStore, RecordedEvent
from infra.migrations import migrate
from infra.outbox import CHECKPOINT, Relay
from infra.settings import Settings
from tests.conftest import fresh_schema
from tests.integration.bus import eventually, own_bus
from tests.integration.test_eventstore import new_events


async def start_relay(settings: Settings, schema: str, batch: int) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "tests.integration.relay_process",
        settings.database_url,
        settings.nats_url,
        schema,
        settings.stream,
        settings.subject_root,
        str(batch),
    )


async def test_a_relay_killed_mid_stream_loses_nothing_and_duplicates_nothing(settings: Settings):
    bus = own_bus(settings)
    pool = await create_pool(bus.database_url)
    schema = fresh_schema()
    async with pool.acquire() as conn:
        await migrate(conn, schema, "eventstore")
    store = EventStore(pool, schema)
    appended = []
    for i in range(400):
        events = new_events(5)
        await store.append(f"init-{i}", events, 0)
        appended.extend(str(e.event_id) for e in events)
    nc = await nats.connect(bus.nats_url)
    js = nc.jetstream()

    async def stream_count() -> int:
        try:
            return int((await js.stream_info(bus.stream)).state.messages)
        except nats.js.errors.NotFoundError:
            return 0

    relay = await start_relay(bus, schema, batch=50)
    await eventually(lambda: _above(stream_count, 200), what="the relay to publish 200 events")
    relay.send_signal(signal.SIGKILL)
    await relay.wait()
    killed_at = await stream_count()
    assert 0 < killed_at < len(appended), "the kill did not land mid-stream"

    relay = await start_relay(bus, schema, batch=50)
    await eventually(lambda: _equals(stream_count, len(appended)), what="all events")
    more = new_events(3)
    await store.append("late", more, 0)  # woken by NOTIFY, not only by polling
    appended.extend(str(e.event_id) for e in more)
    await eventually(lambda: _equals(stream_count, len(appended)), what="the late events")
    relay.terminate()
    await relay.wait()

    sub = await js.pull_subscribe(f"{bus.subject_root}.events.>", stream=bus.stream)
    ids: list[str] = []
    while len(ids) < len(appended):
        for msg in await sub.fetch(500, timeout=2):
            ids.append(msg.headers["Nats-Msg-Id"])
            await msg.ack()
    assert sorted(ids) == sorted(appended), "missing or duplicated events on the stream"
    await js.delete_stream(bus.stream)
    await nc.close()
    await pool.close()


async def _above(count, n: int) -> bool:
    return await count() > n


async def _equals(count, n: int) -> bool:
    return await count() == n


async def short_window_store(settings: Settings):
    """A store of its own, and a stream whose dedup window (0.5 s) a test can outwait."""
    bus = own_bus(settings)
    pool = await create_pool(bus.database_url)
    schema = fresh_schema()
    async with pool.acquire() as conn:
        await migrate(conn, schema, "eventstore")
    nc = await nats.connect(bus.nats_url)
    js = nc.jetstream()
    await ensure_stream(js, bus.subjects, duplicate_window=0.5)
    return bus, pool, EventStore(pool, schema), nc, js


async def appended_and_published(
    store: EventStore, nc: Any, bus: Settings, initiatives: int, published: int
) -> tuple[list[RecordedEvent], Publisher, list[int]]:
    """Two events for each initiative; the first `published` of them on the stream. The
    events, the publisher, and their sequences."""
    for i in range(initiatives):
        await store.append(f"init-{i}", new_events(2), 0)
    events = await store.read_all(Checkpoint(), 100)
    publisher = Publisher(nc, bus.subjects)
    return events, publisher, await publisher.publish_all(events[:published])


async def test_a_relay_back_after_an_outage_longer_than_the_dedup_window_publishes_nothing_twice(
    settings: Settings,
):
    """The relay dies after its PubAcks but before its checkpoint (simulated by deleting the
    checkpoint) and stays away longer than JetStream's dedup window: on start it resumes
    after the last message already on the stream."""
    bus, pool, store, nc, js = await short_window_store(settings)
    appended = []
    for i in range(20):
        events = new_events(2)
        await store.append(f"init-{i}", events, 0)
        appended.extend(str(e.event_id) for e in events)

    async def stream_count() -> int:
        return int((await js.stream_info(bus.stream)).state.messages)

    async def run_relay_until(count: int) -> None:
        stop = asyncio.Event()
        relay = Relay(bus.database_url, store, Publisher(nc, bus.subjects),
                      stages=["ideation"], batch=7)  # fmt: skip
        task = asyncio.create_task(relay.run(stop))
        await eventually(lambda: _equals(stream_count, count), what=f"{count} messages")
        stop.set()
        await task

    await run_relay_until(len(appended))
    await pool.execute(f"DELETE FROM {store.schema}.checkpoints")  # the lost checkpoint
    await asyncio.sleep(1.0)  # time itself is what this waits for: past the dedup window
    more = new_events(3)
    await store.append("late", more, 0)
    appended.extend(str(e.event_id) for e in more)
    await run_relay_until(len(appended))

    sub = await js.pull_subscribe(f"{bus.subject_root}.events.>", stream=bus.stream)
    ids = [m.headers["Nats-Msg-Id"] for m in await sub.fetch(100, timeout=2)]
    assert sorted(ids) == sorted(appended), "missing or duplicated events on the stream"
    await js.delete_stream(bus.stream)
    await nc.close()
    await pool.close()


async def test_a_relay_restarted_after_the_stream_lost_an_event_but_stored_a_later_one_publishes_it(
    settings: Settings,
):
    """Publishes are pipelined: JetStream may store event n+1 but not n (refused, or lost
    in a reconnect), and the relay die before it retried n. On start it publishes n, and
    only n, even after an outage longer than the dedup window."""
    bus, pool, store, nc, js = await short_window_store(settings)
    events, publisher, first = await appended_and_published(store, nc, bus, 4, 3)
    last = events[2]
    await store.save_checkpoint(CHECKPOINT, Checkpoint(last.tx_id, last.position, first[-1]))
    await publisher.publish_all(events[4:])  # the 4th was lost, all after it stored
    await asyncio.sleep(1.0)  # past the dedup window: a republished 5th would be stored again

    stop = asyncio.Event()
    relay = Relay(bus.database_url, store, publisher, stages=["ideation"], batch=3)
    task = asyncio.create_task(relay.run(stop))

    async def stream_count() -> int:
        return int((await js.stream_info(bus.stream)).state.messages)

    await eventually(lambda: _equals(stream_count, 8), what="the lost event")
    await asyncio.sleep(0.3)  # and nothing more
    stop.set()
    await task
    await asyncio.sleep(1.0)  # past the window again: a second start republishes nothing
    stop = asyncio.Event()
    again = Relay(bus.database_url, store, publisher, stages=["ideation"], batch=3)
    task = asyncio.create_task(again.run(stop))
    await asyncio.sleep(1.0)
    stop.set()
    await task
    assert await stream_count() == 8, "a second start put events on the stream again"
    sub = await js.pull_subscribe(f"{bus.subject_root}.events.>", stream=bus.stream)
    ids = [m.headers["Nats-Msg-Id"] for m in await sub.fetch(100, timeout=2)]
    appended = [str(e.event_id) for e in await store.read_all(Checkpoint(), 100)]
    assert sorted(ids) == sorted(appended), "missing or duplicated events on the stream"
    assert ids[7] == appended[3], "the lost event is published after those already there"
    saved = await store.load_checkpoint(CHECKPOINT)
    assert saved.stream_seq == 8 and saved.covers(events[-1].tx_id, events[-1].position)
    await js.delete_stream(bus.stream)
    await nc.close()
    await pool.close()


class FirstAnswersLost(Publisher):
    """The real publisher, except that of its first batch only the first PubAck comes
    back (the others lost in a reconnect): the events are on the stream all the same."""

    lost = True

    async def publish_all(self, events: list[RecordedEvent]) -> list[int]:
        acked = await super().publish_all(events)
        first, self.lost = self.lost, False
        return acked[:1] if first else acked


async def test_a_relay_restarted_after_a_partly_acknowledged_batch_publishes_nothing_twice(
    settings: Settings,
):
    """An earlier attempt stored event 4 but lost event 3; the retry stored 3, and of its
    PubAcks (4's a repeat's, with 4's first, lower sequence) only 3's came back before the
    relay died. After the dedup window, the next start must read the stream back from
    before 4, not from 3's sequence, or it takes 4 for lost and publishes it again."""
    bus, pool, store, nc, js = await short_window_store(settings)
    events, publisher, first = await appended_and_published(store, nc, bus, 3, 2)
    saved = Checkpoint(events[1].tx_id, events[1].position, first[-1], first[-1])
    await store.save_checkpoint(CHECKPOINT, saved)
    await publisher.publish_all(events[3:4])  # the attempt that lost the 3rd: the 4th landed

    dying = Relay(bus.database_url, store, FirstAnswersLost(nc, bus.subjects),
                  stages=["ideation"], batch=10)  # fmt: skip
    reached, count, _ = await dying.relay_batch(saved)
    assert count == 1 and reached.covers(events[2].tx_id, events[2].position)
    assert reached.stream_seq == 4 and reached.scan_from == 2, "the scan starts before the 4th"
    assert await store.load_checkpoint(CHECKPOINT) == reached

    async def stream_count() -> int:
        return int((await js.stream_info(bus.stream)).state.messages)

    assert await stream_count() == 6
    await asyncio.sleep(1.0)  # past the dedup window: a republished event is stored again
    stop = asyncio.Event()
    task = asyncio.create_task(
        Relay(bus.database_url, store, publisher, stages=["ideation"], batch=10).run(stop)
    )
    await eventually(lambda: _checkpoint_covers(store, events[-1]), what="the relay going on")
    await asyncio.sleep(0.3)
    stop.set()
    await task
    sub = await js.pull_subscribe(f"{bus.subject_root}.events.>", stream=bus.stream)
    ids = [m.headers["Nats-Msg-Id"] for m in await sub.fetch(100, timeout=2)]
    assert sorted(ids) == sorted(str(e.event_id) for e in events), "an event published twice"
    await js.delete_stream(bus.stream)
    await nc.close()
    await pool.close()


async def test_a_relay_goes_on_past_a_foreign_message_on_its_subjects(settings: Settings):
    """Another publisher's message on a stage's subjects (no event id, not even JSON) is
    not an event the relay looks for: it starts, and publishes every event."""
    bus, pool, store, nc, js = await short_window_store(settings)
    await js.publish(bus.subjects.event("ideation", "idea_proposed", "x"), b"not an event")
    for i in range(3):
        await store.append(f"init-{i}", new_events(2), 0)
    stop = asyncio.Event()
    relay = Relay(bus.database_url, store, Publisher(nc, bus.subjects), stages=["ideation"])
    task = asyncio.create_task(relay.run(stop))

    async def stream_count() -> int:
        return int((await js.stream_info(bus.stream)).state.messages)

    await eventually(lambda: _equals(stream_count, 7), timeout=10, what="every event")
    stop.set()
    await task
    await js.delete_stream(bus.stream)
    await nc.close()
    await pool.close()


async def _checkpoint_covers(store: EventStore, event: RecordedEvent) -> bool:
    return (await store.load_checkpoint(CHECKPOINT)).covers(event.tx_id, event.position)


async def test_a_relay_on_a_stream_created_again_reports_its_sequences_not_the_old_ones(
    settings: Settings,
):
    """The stream was created again under a checkpoint that had reached sequence 1,000: the
    positions the relay reports (the commands' `position`) are the new stream's, which the
    read models reach, and the next start reads back from there."""
    bus, pool, store, nc, js = await short_window_store(settings)
    await store.append("init-0", new_events(2), 0)
    await store.save_checkpoint(CHECKPOINT, Checkpoint(0, 0, 1000, 1000))
    relay = Relay(bus.database_url, store, Publisher(nc, bus.subjects), stages=["ideation"])
    reached, count, _ = await relay.relay_batch(await relay.resume_point())
    assert (count, reached.stream_seq, reached.scan_from) == (2, 2, 2)
    await js.delete_stream(bus.stream)
    await nc.close()
    await pool.close()
