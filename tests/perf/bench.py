"""`make bench`: every figure of issue 13, each beside its baseline measured in the same run
on the same PostgreSQL and NATS, written to bench-results.json and printed as a table.

    python -m tests.perf.bench [--tiny] [--only rebuild]

It works in a database and on streams of its own (removed at the end), like the tests;
DATABASE_URL and NATS_URL name the servers. `--tiny` (the smoke test in `make test`) runs
every figure with a few events, to show the harness starts and writes its JSON.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import time
import uuid
from collections.abc import AsyncIterator

import nats

from infra.db import connect, create_pool
from infra.eventstore import EventStore
from infra.migrations import migrate
from infra.settings import Settings
from tests.integration.bus import own_bus
from tests.perf import backbone, scale, test_projection_perf, test_write_path_perf
from tests.perf.api_figures import api_figures
from tests.perf.rebuild_figure import rebuild_figure
from tests.perf.results import record, results_path
from tests.perf.table import table


@contextlib.asynccontextmanager
async def bench_settings() -> AsyncIterator[Settings]:
    """A database, stream name and subject root of this run's own."""
    server = os.environ.get("DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
    run = uuid.uuid4().hex[:8]
    admin = await connect(server)
    await admin.execute(f"CREATE DATABASE tollgate_bench_{run}")
    base, _, query = server.partition("?")
    url = base.rsplit("/", 1)[0] + f"/tollgate_bench_{run}" + (f"?{query}" if query else "")
    nats_url = os.environ.get("NATS_URL", "nats://127.0.0.1:4222")
    try:
        yield Settings(database_url=url, nats_url=nats_url, stream=f"TG_BENCH_{run}",
                       subject_root=f"tgbench{run}", demo=False)  # fmt: skip
    finally:
        await admin.execute(f"DROP DATABASE IF EXISTS tollgate_bench_{run} WITH (FORCE)")
        await admin.close()
        nc = await nats.connect(nats_url)
        for info in await nc.jetstream().streams_info():
            if info.config.name.startswith(f"TG_BENCH_{run}"):
                await nc.jetstream().delete_stream(info.config.name)
        await nc.close()


async def backbone_figures(settings: Settings, s: scale.Scale) -> None:
    pool = await create_pool(settings.database_url, max_size=10)
    async with pool.acquire() as conn:
        await migrate(conn, "bench", "eventstore")
        await conn.execute(
            "CREATE TABLE bench.raw (LIKE bench.events INCLUDING DEFAULTS INCLUDING IDENTITY)"
        )
        await conn.execute("CREATE SCHEMA lib")
    store = EventStore(pool, "bench")
    raw_name = "raw asyncpg 3-row INSERT transaction"
    for writers, commands in ((1, s.commands_1w), (8, s.commands_8w)):
        ours = await backbone.append_rate(store, writers, commands)
        raw = await backbone.raw_append_rate(pool, "bench", writers, commands)
        record(f"append_{writers}w", ours, raw, raw_name, "events/s")
    lib_append, lib_read = await library_figures(settings, s)
    name = "eventsourcing 9.5, 8 threads"
    record("append_8w_vs_eventsourcing", ours, lib_append, name, "events/s")

    await backbone.fill(store, s.read_events)
    # statistics, as autovacuum would gather them in an installation (this machine's server
    # runs without it): without them a prepared read's first five (custom) plans expect a
    # ninth of the rows and sort them all instead of following the index
    await pool.execute("ANALYZE bench.events")
    ours = max([(await backbone.read_all_rate(store))[0] for _ in range(3)])
    raw = max([await backbone.raw_read_rate(pool, "bench") for _ in range(3)])
    record("read_all_decoded", ours, raw, "raw asyncpg xid8 read (rows/s)", "events/s")
    record("read_all_vs_eventsourcing", ours, lib_read, "eventsourcing read-all", "events/s")

    ours, raw, _ = await backbone.relay_rate(own_bus(settings), store)
    record("relay", ours, raw, "nats-py publish, 500 in flight", "events/s")
    await pool.close()


async def library_figures(settings: Settings, s: scale.Scale) -> tuple[float | None, float | None]:
    """eventsourcing's append and read-all rates; None without the bench extra (make test)."""
    try:
        from tests.perf import library
    except ImportError:
        print("eventsourcing is not installed (make bench installs it): no library baseline")
        return None, None
    url = settings.database_url
    append, _ = await asyncio.to_thread(library.append_rate, url, "lib", s.library_commands)
    await asyncio.to_thread(library.fill, url, "lib", s.read_events)
    conn = await connect(url)  # its statistics too (see backbone_figures)
    await conn.execute("ANALYZE")
    await conn.close()
    reads = [await asyncio.to_thread(library.read_all_rate, url, "lib", s.read_events)
             for _ in range(3)]  # fmt: skip
    return append, max(reads)


async def rebuild_figures(settings: Settings, s: scale.Scale) -> float:
    """The rebuild beside the raw read; returns the rebuild's peak RSS in MB."""
    rebuilt = await rebuild_figure(own_bus(settings), s.rebuild_events)
    assert rebuilt.raw_rate is not None
    record("rebuild", rebuilt.rate, rebuilt.raw_rate, "raw read of the same events from "
           "JetStream (nats-py)", "events/s")  # fmt: skip
    record("rebuild_peak_rss_mb", rebuilt.peak_rss_mb, None, "-", "MB")
    print(f"rebuild: {rebuilt.events:,} events at {rebuilt.rate:,.0f} events/s, raw read "
          f"{rebuilt.raw_rate:,.0f}/s (ratio {rebuilt.rate / rebuilt.raw_rate:.2f}), "
          f"peak RSS {rebuilt.peak_rss_mb:.0f} MB", flush=True)  # fmt: skip
    return rebuilt.peak_rss_mb


async def million_figures(settings: Settings, s: scale.Scale) -> None:
    """The rebuild of 1M events (20,000 initiatives, 125 KPI points each in the pilot), start
    to switch, as `tollgate projection rebuild` reports it."""
    rebuilt = await rebuild_figure(own_bus(settings), s.million, measurements=125, raw=False)
    record("rebuild_1m_seconds", rebuilt.seconds, None, "-", "s")
    record("rebuild_1m", rebuilt.rate, None, "-", "events/s")
    record("rebuild_1m_peak_rss_mb", rebuilt.peak_rss_mb, None, "-", "MB")
    print(f"rebuild: {rebuilt.events:,} events in {rebuilt.seconds:.1f}s ({rebuilt.rate:,.0f} "
          f"events/s), peak RSS {rebuilt.peak_rss_mb:.0f} MB", flush=True)  # fmt: skip


async def service_figures(settings: Settings, s: scale.Scale) -> None:
    rebuild_rss = await rebuild_figures(settings, s)
    got = await api_figures(own_bus(settings), s.http_seconds, s.seeded)
    bare = got.bare
    assert bare is not None and got.proposals is not None
    name = f"a bare Litestar handler, same uvicorn ({bare.tool})"
    for path, figure in (("one", "api_get_initiative"), ("list", "api_list_initiatives"),
                         ("portfolio", "api_portfolio"), ("one_miss", "api_get_initiative_miss"),
                         ("list_miss", "api_list_initiatives_miss")):  # fmt: skip
        stats = got.reads[path]
        record(figure, stats.rate, bare.rate, name, "req/s")
        record(f"{figure}_p99_ms", stats.p99_ms, bare.p99_ms, f"{name}, p99", "ms")
    small, large = got.reads["portfolio"], got.at_scale["portfolio"]
    at = "the same call at the demo's size (27 initiatives), p99"
    record("api_portfolio_10k_p99_ms", large.p99_ms, small.p99_ms, at, "ms")
    record("api_list_initiatives_10k_p99_ms", got.at_scale["list"].p99_ms,
           got.reads["list"].p99_ms, "the same call at the demo's size, p99", "ms")  # fmt: skip
    record("api_portfolio_10k_as_of_ms", got.as_of_ms, None, "-", "ms")
    record("commands_per_s_http", got.proposals.rate, None, "-", "commands/s")
    record("rss_mb_max", max(got.rss_mb.values()), None, "-", "MB")
    print(f"\n{got.initiatives:,} initiatives; proposals: {got.proposals.errors} errors, load "
          f"generator at {got.proposals.client_cpu:.0%} of a core; RSS MB: "
          + ", ".join(f"{k} {v:.0f}" for k, v in got.rss_mb.items())
          + f", rebuild (peak) {rebuild_rss:.0f}")  # fmt: skip


async def write_path_figures(settings: Settings, s: scale.Scale) -> None:
    test_projection_perf.LATENCY_SECONDS = s.latency_seconds
    test_write_path_perf.LONG, test_write_path_perf.SAMPLES = s.long_history, s.samples
    await test_projection_perf.test_command_to_read_model_latency_at_a_steady_rate(settings)
    await test_write_path_perf.test_command_cost_on_a_long_history(settings)


SECTIONS = {"backbone": backbone_figures, "services": service_figures,
            "write_path": write_path_figures, "rebuild": rebuild_figures,
            "million": million_figures}  # fmt: skip


async def main(s: scale.Scale, only: str | None = None) -> None:
    began = time.monotonic()
    sections = [SECTIONS[only]] if only else [backbone_figures, service_figures,
                                              write_path_figures, million_figures]  # fmt: skip
    async with bench_settings() as settings:
        for section in sections:
            started = time.monotonic()
            await section(settings, s)
            print(f"{section.__name__}: {time.monotonic() - started:.0f}s", flush=True)
    print(f"\n{table()}\n\n{s.name} run in {time.monotonic() - began:.0f}s; "
          f"figures in {results_path()}")  # fmt: skip


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--tiny", action="store_true", help="a few events per figure")
    parser.add_argument("--only", choices=sorted(SECTIONS), help="run one section alone")
    args = parser.parse_args()
    asyncio.run(main(scale.TINY if args.tiny else scale.current(), args.only))
