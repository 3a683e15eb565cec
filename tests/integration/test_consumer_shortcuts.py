"""The consumers' shortcuts keep every effect exactly once: a one-statement handler (the
webhook fan-out) and a check that skips events needing no handling (the notifier), on a
database of their own (they write the `api` and `projection` schemas) and a real stream."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import msgspec
import nats
import pytest
import pytest_asyncio
from nats.js import JetStreamContext

from api.notifier import notify
from api.notifier.notify import Notifier
from api.webhooks.worker import QUEUE_DELIVERIES, wanted
from events.envelope import CloudEvent
from infra.consumer import Consumer, Retry, Statement
from infra.db import Pool, connect, create_pool
from infra.migrations import migrate_all
from infra.settings import Settings
from services.projection.inbox_store import COLUMNS, ENCODER
from services.projection.views.inbox import InboxItem
from tests.accounts import ensure_user
from tests.integration.bus import eventually, own_bus

pytestmark = pytest.mark.asyncio(loop_scope="session")
TYPES = ("io.tollgate.ideation.idea_proposed.v1", "io.tollgate.ideation.idea_edited.v1")


@pytest_asyncio.fixture(loop_scope="session")
async def own(pg_server_url: str, settings: Settings) -> AsyncIterator[Settings]:
    name = f"tollgate_shortcuts_{uuid.uuid4().hex[:8]}"
    admin = await connect(pg_server_url)
    await admin.execute(f"CREATE DATABASE {name}")
    base, _, query = pg_server_url.partition("?")
    url = base.rsplit("/", 1)[0] + f"/{name}" + (f"?{query}" if query else "")
    await migrate_all(url)
    try:
        yield msgspec.structs.replace(own_bus(settings), database_url=url)
    finally:
        await admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        await admin.close()


def event(type_: str, subject: str) -> CloudEvent:
    return CloudEvent(
        specversion="1.0",
        id=str(uuid.uuid4()),
        source="/tollgate/ideation",
        type=type_,
        subject=subject,
        time=datetime.now(UTC),
        data=msgspec.Raw(b"{}"),
    )


async def publish_twice(js: JetStreamContext, bus: Settings, e: CloudEvent) -> None:
    """Two messages with one event id, as after a relay crash outside the dedup window."""
    subject = f"{bus.subject_root}.events.ideation.x.{e.subject}"
    for _ in range(2):
        await js.publish(
            subject, msgspec.json.encode(e), headers={"Nats-Msg-Id": str(uuid.uuid4())}
        )


async def consume_until_acked(js: JetStreamContext, bus: Settings, consumer: Consumer, n: int):
    await js.add_stream(name=bus.stream, subjects=[f"{bus.subject_root}.>"])
    stop = asyncio.Event()
    task = asyncio.create_task(consumer.run(stop))

    async def all_acked() -> bool:
        try:
            info = await js.consumer_info(bus.stream, consumer.durable)
        except nats.js.errors.NotFoundError:
            return False
        return info.ack_floor.stream_seq == n

    return stop, task, all_acked


async def test_a_statement_handler_applies_a_redelivered_event_once(own: Settings):
    pool = await create_pool(own.database_url)
    await pool.execute(
        "CREATE TABLE api.counter (n int NOT NULL); INSERT INTO api.counter VALUES (0)"
    )
    count = Statement(
        "UPDATE api.counter SET n = n + 1 WHERE EXISTS (SELECT FROM tracked)", lambda e: ()
    )
    nc = await nats.connect(own.nats_url)
    js = nc.jetstream()
    consumer = Consumer(
        js, pool, schema="api", durable="counter", stream=own.stream,
        filter_subjects=[f"{own.subject_root}.events.>"], handler=count,
    )  # fmt: skip
    stop, task, all_acked = await consume_until_acked(js, own, consumer, 2)
    await publish_twice(js, own, event(TYPES[0], "i1"))
    await eventually(all_acked, what="both deliveries acknowledged")
    stop.set()
    await task

    assert await pool.fetchval("SELECT n FROM api.counter") == 1
    assert consumer.handled == 1
    await js.delete_stream(own.stream)
    await nc.close()
    await pool.close()


def wants(subscription: dict[str, object], e: CloudEvent) -> bool:
    """The reference: which subscriptions an event is queued for, in words."""
    types, initiative = subscription["event_types"], subscription["initiative_id"]
    return (
        subscription["status"] == "active"
        and (not types or e.type in types)  # type: ignore[operator]
        and initiative in (None, e.subject)
    )


async def test_the_one_statement_fan_out_queues_each_wanted_event_once_whatever_repeats(
    own: Settings,
):
    pool = await create_pool(own.database_url)
    subscriptions = [
        {"event_types": [], "initiative_id": None, "status": "active"},
        {"event_types": [TYPES[0]], "initiative_id": None, "status": "active"},
        {"event_types": [], "initiative_id": "i1", "status": "active"},
        {"event_types": [TYPES[1]], "initiative_id": "i2", "status": "active"},
        {"event_types": [], "initiative_id": None, "status": "disabled"},
    ]
    for s in subscriptions:
        s["subscription_id"] = await pool.fetchval(
            "INSERT INTO api.subscriptions (subscription_id, url, event_types, initiative_id,"
            " secret, created_by, status) VALUES ($1, 'http://127.0.0.1/', $2, $3, 's', 't', $4)"
            " RETURNING subscription_id",
            uuid.uuid4(), s["event_types"], s["initiative_id"], s["status"],
        )  # fmt: skip
    consumer = Consumer(
        None, pool, schema="api", durable="fan-out", stream=own.stream,  # type: ignore[arg-type]
        filter_subjects=[], handler=QUEUE_DELIVERIES,
    )  # fmt: skip
    events = [event(t, i) for t in TYPES for i in ("i1", "i2", "i3")]
    applied = [await consumer.apply(e) for e in events]
    repeated = [await consumer.apply(e) for e in reversed(events)]

    rows = await pool.fetch(
        "SELECT subscription_id, event_id::text, event_type, body FROM api.deliveries"
    )
    got = sorted((r["subscription_id"], r["event_id"], r["event_type"]) for r in rows)
    expected = sorted(
        (s["subscription_id"], e.id, e.type) for e in events for s in subscriptions if wants(s, e)
    )
    assert applied == [True] * len(events) and repeated == [False] * len(events)
    assert got == expected and len(got) == 6 + 3 + 2 + 1
    bodies = {r["event_id"]: msgspec.json.decode(r["body"])["id"] for r in rows}
    assert all(k == v for k, v in bodies.items())
    await pool.close()


async def test_the_fan_out_skips_untracked_what_no_subscription_wants(own: Settings):
    pool = await create_pool(own.database_url)
    run = uuid.uuid4().hex[:8]
    wanted_type, other = f"{TYPES[0]}.{run}", f"{TYPES[1]}.{run}"
    await pool.execute(
        "INSERT INTO api.subscriptions (subscription_id, url, event_types, initiative_id,"
        " secret, created_by, status) VALUES ($1, 'http://127.0.0.1/', $2, 'i1', 's', 't',"
        " 'active')", uuid.uuid4(), [wanted_type],
    )  # fmt: skip
    consumer = Consumer(
        None, pool, schema="api", durable=f"fan-out-{run}", stream=own.stream,  # type: ignore[arg-type]
        filter_subjects=[], handler=QUEUE_DELIVERIES, needed=wanted(pool),
    )  # fmt: skip
    events = [event(wanted_type, "i1"), event(wanted_type, "i2"), event(other, "i1")]
    outcomes = [await consumer.process(e, 0) for e in events + events]

    assert outcomes == ["applied", "skipped", "skipped", "repeat", "skipped", "skipped"]
    tracked = await pool.fetch(
        "SELECT event_id::text FROM api.processed WHERE consumer = $1", consumer.durable
    )
    queued = await pool.fetch(
        "SELECT event_id::text FROM api.deliveries WHERE event_type = ANY($1)",
        [wanted_type, other],
    )
    assert [r[0] for r in tracked] == [r[0] for r in queued] == [events[0].id]
    together = await wanted(pool)([(e, 0) for e in events + events])  # one query for all
    assert together == [True, False, False] * 2
    await pool.close()


async def test_a_consumer_asks_once_whether_the_events_already_delivered_are_needed(
    own: Settings,
):
    """Messages waiting when the consumer looks are checked with one `needed` call (one
    query, not one each), and each is still handled or skipped as its own answer says."""
    pool = await create_pool(own.database_url)
    await pool.execute("CREATE TABLE api.seen (id text PRIMARY KEY)")
    asked: list[int] = []

    async def every_other(events):
        asked.append(len(events))
        return [e.subject.endswith(("0", "2", "4", "6", "8")) for e, _ in events]

    record = Statement(
        "INSERT INTO api.seen SELECT $3 WHERE EXISTS (SELECT FROM tracked)",
        lambda e: (e.subject,),
    )
    nc = await nats.connect(own.nats_url)
    js = nc.jetstream()
    consumer = Consumer(
        js, pool, schema="api", durable="asker", stream=own.stream,
        filter_subjects=[f"{own.subject_root}.events.>"], handler=record, needed=every_other,
    )  # fmt: skip
    await js.add_stream(name=own.stream, subjects=[f"{own.subject_root}.>"])
    for i in range(40):  # all stored before the consumer starts: delivered at once
        e = event(TYPES[0], f"i{i}")
        await js.publish(
            f"{own.subject_root}.events.ideation.x.{e.subject}", msgspec.json.encode(e)
        )
    stop, task, all_acked = await consume_until_acked(js, own, consumer, 40)
    await eventually(all_acked, what="every message acknowledged")
    stop.set()
    await task

    seen = {r[0] for r in await pool.fetch("SELECT id FROM api.seen")}
    assert seen == {f"i{i}" for i in range(0, 40, 2)} and consumer.handled == 20
    assert sum(asked) == 40 and len(asked) < 10, f"asked {asked}"
    await js.delete_stream(own.stream)
    await nc.close()
    await pool.close()


async def wait_on(pool: Pool, initiative_id: str, account: str) -> None:
    """An item in the inbox for `account`, as the projection writes it."""
    item = InboxItem(
        initiative_id=initiative_id, key="condition:c1", kind="condition", title="T",
        text="Fulfil it", since=datetime.now(UTC), link=f"/initiatives/{initiative_id}",
    )  # fmt: skip
    row = (
        initiative_id,
        item.key,
        item.kind,
        item.since,
        [account],
        [],
        [],
        [],
        ENCODER.encode(item),
    )
    params = ", ".join(f"${i}" for i in range(1, len(COLUMNS) + 1))
    await pool.execute(
        f"INSERT INTO projection.inbox ({', '.join(COLUMNS)}) VALUES ({params})", *row
    )


async def test_the_notifier_skips_what_leaves_nothing_waiting_and_tells_each_item_once(
    own: Settings,
):
    pool = await create_pool(own.database_url)
    await ensure_user(pool, "sc-owner", "owner")
    await pool.execute(
        "UPDATE api.users SET email = 'sc@example.test', notify = 'immediate' WHERE name = $1",
        "sc-owner",
    )
    notifier = Notifier(pool, msgspec.structs.replace(own, smtp_url="smtp://127.0.0.1:1"))
    nc = await nats.connect(own.nats_url)
    js = nc.jetstream()
    consumer = Consumer(
        js, pool, schema="api", durable="notifier", stream=own.stream,
        filter_subjects=[f"{own.subject_root}.events.>"], handler=notifier.on_event,
        needed=notifier.needed,
    )  # fmt: skip
    stop, task, all_acked = await consume_until_acked(js, own, consumer, 6)
    # read models behind: the first events wait (Retry) until they are applied
    quiet, waiting, again = event(TYPES[0], "i1"), event(TYPES[1], "i2"), event(TYPES[1], "i2")
    for e in (quiet, waiting, again):
        await publish_twice(js, own, e)
    await wait_on(pool, "i2", "sc-owner")
    await asyncio.sleep(0.3)
    assert await pool.fetchval("SELECT count(*) FROM api.processed") == 0  # not applied yet
    await pool.execute("UPDATE projection.position SET sequence = 6")
    await eventually(all_acked, what="every delivery acknowledged")
    stop.set()
    await task

    tracked = {r["event_id"] for r in await pool.fetch("SELECT event_id::text FROM api.processed")}
    mails = await pool.fetch("SELECT recipient, subject FROM api.mails")
    assert tracked == {waiting.id, again.id}  # the quiet event needed no tracking row
    assert [m["recipient"] for m in mails] == ["sc-owner"]  # told once, whatever repeats
    assert consumer.handled == 2
    assert await notifier.needed([(quiet, 4), (waiting, 5), (again, 6)]) == [False, True, True]
    await js.delete_stream(own.stream)
    await nc.close()
    await pool.close()


async def test_the_notifier_answers_for_what_the_read_models_applied_when_behind_the_last(
    own: Settings, monkeypatch: pytest.MonkeyPatch
):
    """Read models behind the last of the events delivered at once: `needed` answers for
    those they applied (nothing waits on the quiet one; something on the other) and sends
    the rest on to be handled, each waiting for its turn; behind the first, it asks again
    later (Retry)."""
    monkeypatch.setattr(notify, "CATCH_UP_WAIT", 0.2)
    pool = await create_pool(own.database_url)
    await wait_on(pool, "i4", "sc-owner")
    quiet, waiting, later = event(TYPES[0], "i3"), event(TYPES[1], "i4"), event(TYPES[0], "i3")
    await pool.execute("UPDATE projection.position SET sequence = 5")
    answers = await Notifier(pool, own).needed([(quiet, 4), (waiting, 5), (later, 7)])
    assert answers == [False, True, True]
    with pytest.raises(Retry):
        await Notifier(pool, own).needed([(later, 7), (later, 8)])
    await pool.close()
