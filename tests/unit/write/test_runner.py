"""The runner's fixed steps with in-memory fakes: replies, conflicts, pinned versions,
idempotency keys, the folded-state cache and snapshots."""

from __future__ import annotations

from datetime import date

import msgspec
import pytest

from events import ideation
from services import runner as runner_module
from services.ideation import decider
from services.runner import Options, Runner
from services.stage import StageState, record
from tests.fakes import FakeEventStore, FakePublisher
from tests.unit.histories import AT, CONTRIBUTOR, ID, at

PROPOSE = ideation.ProposeIdea(
    initiative_id=ID, at=AT, actor=CONTRIBUTOR, title="Invoice triage",
    problem_statement="Slow", business_goal="Fast", sponsor="Sam", owner="Olga",
)  # fmt: skip


def workshop(n: int) -> ideation.HoldWorkshop:
    return ideation.HoldWorkshop(
        initiative_id=ID, at=at(n), actor=CONTRIBUTOR, workshop_id=f"w{n}",
        held_on=date(2025, 3, 1), participants=("Ann",), outcome="Went well",
    )  # fmt: skip


def new_runner(store: FakeEventStore) -> Runner[ideation.IdeationCommand, StageState, object]:
    return Runner(store, decider, FakePublisher())  # type: ignore[arg-type]


async def test_a_command_appends_its_events_and_replies_with_version_and_position():
    store = FakeEventStore()
    reply = await new_runner(store).execute(PROPOSE)
    assert reply.ok and reply.version == 1
    assert reply.position == store.events[-1].position + 100
    assert reply.event_ids == [str(store.events[-1].event_id)]


async def test_a_conflict_is_retried_on_the_new_state():
    store = FakeEventStore()
    runner = new_runner(store)
    await runner.execute(PROPOSE)
    held = record(workshop(2), ideation.WorkshopHeld)
    store.interleave.append((ID, [runner_module._new_event(held, b'{"actor": "ann"}')]))
    reply = await runner.execute(workshop(3))  # appends after v1, loses to v2, retries
    assert reply.ok and reply.version == 3
    assert [e.version for e in store.stream(ID)] == [1, 2, 3]


async def test_a_pinned_stale_version_is_refused_with_the_current_one_and_nothing_is_stored():
    store = FakeEventStore()
    runner = new_runner(store)
    await runner.execute(PROPOSE)
    await runner.execute(workshop(1))
    reply = await runner.execute(workshop(2), Options(expected_version=1))
    assert not reply.ok and reply.error is not None
    assert reply.error.code == "conflict" and reply.error.current_version == 2
    assert len(store.stream(ID)) == 2


async def test_a_retry_with_the_same_idempotency_key_returns_the_first_reply_and_stores_nothing():
    store = FakeEventStore()
    runner = new_runner(store)
    key = Options(idempotency_key="carl:k1", digest="d1")
    first = await runner.execute(PROPOSE, key)
    again = await new_runner(store).execute(PROPOSE, key)  # another replica, cold cache
    assert again == first
    assert len(store.events) == 1


async def test_the_same_key_with_another_request_is_invalid():
    store = FakeEventStore()
    runner = new_runner(store)
    await runner.execute(PROPOSE, Options(idempotency_key="carl:k1", digest="d1"))
    reply = await runner.execute(workshop(1), Options(idempotency_key="carl:k1", digest="d2"))
    assert reply.error is not None and reply.error.code == "invalid"
    assert "Idempotency-Key" in reply.error.detail
    assert len(store.events) == 1


async def test_a_key_stored_by_a_racing_request_answers_with_that_requests_reply():
    store = FakeEventStore()
    key = Options(idempotency_key="carl:k1", digest="d1")
    winner = await new_runner(store).execute(PROPOSE, key)
    real_lookup = store.find_reply
    lookups: list[str] = []

    async def miss_first(k: str) -> object:  # the loser looked before the winner committed
        lookups.append(k)
        return None if len(lookups) == 1 else await real_lookup(k)

    store.find_reply = miss_first  # type: ignore[method-assign,assignment]
    retry = msgspec.structs.replace(PROPOSE, initiative_id="init-2")  # the API's new id
    reply = await new_runner(store).execute(retry, key)
    assert reply == winner
    assert store.stream("init-2") == [] and len(store.events) == 1


async def test_a_command_that_changes_nothing_answers_the_current_version_and_position():
    store = FakeEventStore()
    runner = new_runner(store)
    await runner.execute(PROPOSE)
    done = await runner.execute(workshop(1))
    repeat = await runner.execute(workshop(1))
    assert repeat.ok and repeat.event_ids == []
    assert (repeat.version, repeat.position) == (done.version, done.position)


async def test_a_warm_cache_reads_only_the_events_after_it():
    store = FakeEventStore()
    runner = new_runner(store)
    for n in range(30):
        await runner.execute(workshop(n) if n else PROPOSE)
    assert max(store.read_counts[1:]) == 0, "a warm cache refolded the stream"


async def test_a_cold_runner_starts_from_the_snapshot_and_folds_only_what_came_after(monkeypatch):
    monkeypatch.setattr(runner_module, "SNAPSHOT_EVERY", 10)
    store = FakeEventStore()
    runner = new_runner(store)
    await runner.execute(PROPOSE)
    for n in range(1, 25):
        await runner.execute(workshop(n))
    assert store.snapshots[ID][1].version >= 20
    cold = new_runner(store)
    store.read_counts.clear()
    folded = await cold.fetch(ID)
    assert store.read_counts == [25 - store.snapshots[ID][1].version]
    full = decider.initial_state
    for row in store.stream(ID):
        full = decider.evolve(full, decider.EVENTS.decode(row.data))
    assert folded.state == full and folded.version == 25


async def test_a_snapshot_of_another_state_shape_is_ignored():
    store = FakeEventStore()
    runner = new_runner(store)
    await runner.execute(PROPOSE)
    await runner._save_snapshot(ID, await runner.fetch(ID))
    store.snapshots[ID] = ("OtherShape.v9.0", store.snapshots[ID][1])
    store.read_counts.clear()
    folded = await new_runner(store).fetch(ID)
    assert store.read_counts == [1] and folded.version == 1


@pytest.mark.parametrize("conn", [object()])
async def test_inside_a_consumer_transaction_the_cache_does_not_get_ahead_of_the_store(conn):
    store = FakeEventStore()
    runner = new_runner(store)
    await runner.execute(PROPOSE)
    reply = await runner.execute(workshop(1), conn=conn)  # type: ignore[arg-type]
    assert reply.ok and reply.position is None
    assert runner.cache.get(ID) is None


@pytest.mark.parametrize(
    ("name", "refused"),
    [("Carl\\u0000", True), ("Carl\\\\\\u0000", True), ("C:\\\\u0000", False), ("Carl", False)],
)
async def test_a_command_over_nats_with_a_nul_anywhere_is_refused_and_nothing_is_stored(
    name: str, refused: bool
):
    """No read model can store a NUL (PostgreSQL text and jsonb refuse it), so a command
    holding one in any field, the actor's name too, is refused before it becomes an event;
    an escaped backslash before "u0000" is text, not a NUL."""
    store = FakeEventStore()
    body = msgspec.json.encode(PROPOSE).replace(
        b'"name":"Carl"', b'"name":"' + name.encode() + b'"'
    )
    assert name.encode() in body
    reply = await new_runner(store).handle_request("propose-idea", body, {})
    assert reply.ok is not refused
    assert len(store.events) == (0 if refused else 1)
    if refused:
        assert reply.error is not None and reply.error.code == "invalid"
        assert "NUL" in reply.error.detail
