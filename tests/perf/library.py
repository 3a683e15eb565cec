"""The eventsourcing library (PyPI `eventsourcing[postgres]`, the bench extra) on the same
database: its application recorder appending 3-event commands from 8 threads, and reading
its notification log. It is synchronous (psycopg 3), so its writers are threads."""

from __future__ import annotations

import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlparse

from eventsourcing.persistence import StoredEvent
from eventsourcing.postgres import PostgresApplicationRecorder, PostgresDatastore

WRITERS = 8
TOPIC = "tollgate.bench:TestHappened"


def datastore(database_url: str, schema: str) -> PostgresDatastore:
    url = urlparse(database_url)
    return PostgresDatastore(
        dbname=url.path.lstrip("/"), host=url.hostname or "127.0.0.1", port=url.port or 5432,
        user=url.username or "postgres", password=url.password or "", pool_size=WRITERS,
        max_overflow=0, schema=schema,
    )  # fmt: skip


def _command(i: int) -> list[StoredEvent]:
    stream = uuid.uuid4()
    return [
        StoredEvent(originator_id=stream, originator_version=v, topic=TOPIC,
                    state=b'{"n": %d, "actor": "t"}' % i)
        for v in range(1, 4)
    ]  # fmt: skip


def append_rate(database_url: str, schema: str, commands: int) -> tuple[float, int]:
    """Events/s of 8 threads each inserting `commands` new 3-event aggregates; and the count."""
    store = datastore(database_url, schema)
    recorder = PostgresApplicationRecorder(store)
    recorder.create_table()

    def writer(_: int) -> None:
        for i in range(commands):
            recorder.insert_events(_command(i))

    start = time.perf_counter()
    with ThreadPoolExecutor(WRITERS) as pool:
        list(pool.map(writer, range(WRITERS)))
    rate = WRITERS * commands * 3 / (time.perf_counter() - start)
    store.close()
    return rate, WRITERS * commands * 3


def fill(database_url: str, schema: str, events: int) -> None:
    """Top the library's log up to `events`, 1,000 to an aggregate."""
    store = datastore(database_url, schema)
    recorder = PostgresApplicationRecorder(store)
    have = len(recorder.select_notifications(None, events + 1))
    while have < events:
        n = min(1000, events - have)
        stream = uuid.uuid4()
        recorder.insert_events([
            StoredEvent(originator_id=stream, originator_version=v, topic=TOPIC,
                        state=b'{"n": %d, "actor": "t"}' % v)
            for v in range(1, n + 1)
        ])  # fmt: skip
        have += n
    store.close()


def read_all_rate(database_url: str, schema: str, events: int) -> float:
    """Events/s reading the library's whole notification log, 5,000 at a time."""
    store = datastore(database_url, schema)
    recorder = PostgresApplicationRecorder(store)
    start, read, after = time.perf_counter(), 0, None
    while batch := recorder.select_notifications(after, 5000, inclusive_of_start=False):
        read += len(batch)
        after = batch[-1].id
    rate = read / (time.perf_counter() - start)
    store.close()
    assert read == events, (read, events)
    return rate
