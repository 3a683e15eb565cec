"""The rebuild's figure: `tollgate projection rebuild` as its own process over a stream of
synthetic lifecycles, against a raw read of the same messages from JetStream. The process's
peak RSS counts towards rss_mb_max."""

from __future__ import annotations

import asyncio
import re
import subprocess
import sys
import time
from dataclasses import dataclass

import nats

from infra.bus import ensure_stream
from infra.consumer import replay
from infra.db import connect
from infra.migrations import migrate_all
from infra.settings import Settings
from tests.perf.test_projection_perf import fill
from tests.stack import Stack


@dataclass(frozen=True)
class Rebuilt:
    rate: float  # events/s of the rebuild, start-up and switch included
    seconds: float  # the rebuild's, start-up and switch included
    raw_rate: float | None  # events/s of the raw read (None: not measured)
    events: int
    peak_rss_mb: float


async def rebuild_figure(
    bus: Settings, events: int, measurements: int = 20, raw: bool = True
) -> Rebuilt:
    """`events` of 20,000 interleaved lifecycles with `measurements` KPI points each in the
    pilot; with `raw`, read once with nats-py first."""
    await migrate_all(bus.database_url)
    conn = await connect(bus.database_url)
    await conn.execute("DROP SCHEMA IF EXISTS projection, projection_next CASCADE")
    await conn.close()
    nc = await nats.connect(bus.nats_url)
    js = nc.jetstream()
    await ensure_stream(js, bus.subjects)
    last = await fill(nc, bus, events, measurements)
    raw_rate = None
    if raw:
        began, read = time.perf_counter(), 0
        async for chunk in replay(js, bus.stream, bus.subjects.events, start=1, end=last):
            read += len(chunk)
        raw_rate = read / (time.perf_counter() - began)
    out, peak = await asyncio.to_thread(_rebuild_process, Stack(bus).env())
    await js.delete_stream(bus.stream)
    await nc.close()
    conn = await connect(bus.database_url)  # the API figures start from empty read models
    await conn.execute("DROP SCHEMA IF EXISTS projection, projection_next CASCADE")
    await conn.close()
    found = re.search(r"from ([\d,]+) events in ([\d.]+)s \(([\d,]+) events/s\)", out)
    assert found, out
    return Rebuilt(rate=float(found[3].replace(",", "")), seconds=float(found[2]),
                   raw_rate=raw_rate, events=int(found[1].replace(",", "")),
                   peak_rss_mb=peak)  # fmt: skip


# A small parent starts the rebuild and reports its children's peak RSS: a child forked from
# this (large) process would count this process's pages until its exec.
PEAK = (
    "import resource, subprocess, sys; done = subprocess.run(sys.argv[1:]); "
    "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr); "
    "sys.exit(done.returncode)"
)


def _rebuild_process(env: dict[str, str]) -> tuple[str, float]:
    """Run the rebuild CLI; its output and its peak RSS in MB."""
    cli = [sys.executable, "-m", "launch.cli", "projection", "rebuild"]
    done = subprocess.run([sys.executable, "-c", PEAK, *cli], env=env, capture_output=True,
                          text=True, check=False)  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout, int(done.stderr.strip().splitlines()[-1]) / 1024
