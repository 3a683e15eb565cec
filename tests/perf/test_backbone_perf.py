"""Event store, read-all and relay throughput against raw baselines, as a pytest benchmark
(the same functions `make bench` runs in tests/perf/bench.py). Prints figures, asserts none
about time."""

from __future__ import annotations

from infra.db import create_pool
from infra.eventstore import EventStore
from infra.migrations import migrate
from infra.settings import Settings
from tests.conftest import fresh_schema
from tests.integration.bus import own_bus
from tests.perf import backbone

COMMANDS_PER_WRITER = {1: 1500, 8: 400}


async def test_backbone_throughput(settings: Settings):
    pool = await create_pool(settings.database_url, max_size=10)
    schema = fresh_schema()
    async with pool.acquire() as conn:
        await migrate(conn, schema, "eventstore")
        await conn.execute(
            f"CREATE TABLE {schema}.raw "
            f"(LIKE {schema}.events INCLUDING DEFAULTS INCLUDING IDENTITY)"
        )
    store = EventStore(pool, schema)
    print()
    for writers, commands in COMMANDS_PER_WRITER.items():
        ours = await backbone.append_rate(store, writers, commands)
        raw = await backbone.raw_append_rate(pool, schema, writers, commands)
        print(
            f"append, {writers} writer(s), 3 events/command: {ours:,.0f} events/s; "
            f"raw INSERT baseline {raw:,.0f} events/s; ratio {ours / raw:.2f}"
        )
    total = await pool.fetchval(f"SELECT count(*) FROM {schema}.events")
    rate, read = await backbone.read_all_rate(store)
    print(f"read-all: {rate:,.0f} events/s over {read:,} events")
    assert read == total
    ours, raw, relayed = await backbone.relay_rate(own_bus(settings), store)
    print(f"relay to JetStream: {ours:,.0f} events/s; nats-py baseline {raw:,.0f} msg/s")
    assert relayed == total
    await pool.close()
