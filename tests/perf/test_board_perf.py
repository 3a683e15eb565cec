"""The board and the initiative page with 1,000 initiatives (make bench): the real API
process under wrk (or the asyncio client) beside the bare Litestar handler served the same
way, in the same run; and what the board's reads cost in-process against decoding every row.
Prints figures and writes them to bench-results.json; asserts nothing about time.

The 1,000 initiatives are written the faster way, documented here: their events (every
outcome of tests/integration/test_projection_support.py, priorities spread from 1 to 5) are
folded by the projection's own Fold and copied into the read-model tables, as a rebuild
writes them. Seeding through the commands gives the same rows; it takes minutes.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import statistics
import subprocess
import sys
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from msgspec.structs import replace

from api import sessions
from api.auth import SESSION_COOKIE
from events import ideation
from infra.db import Pool, connect, create_pool
from infra.migrations import migrate_all
from infra.settings import Settings
from launch.embedded import free_port
from services.projection import board, board_figures, queries
from tests.accounts import api_only, ensure_user
from tests.integration.bus import drop_stream
from tests.integration.test_projection_support import OUTCOMES, envelopes, initiative
from tests.perf.http_load import Stats, load
from tests.perf.results import record
from tests.perf.test_time_travel_perf import load as copy_rows

pytestmark = pytest.mark.perf
N = 1000
CONNECTIONS = 8
SECONDS = float(os.environ.get("TOLLGATE_BENCH_SECONDS", "8"))
PAGES = {  # name -> path, all against 1,000 initiatives
    "board": "/",
    "board_sorted": "/?sort=priority",
    "board_filtered": "/?q=idea%2012&sort=readiness",
    "board_more": "/?show_ideation=120",
    "initiative_page": "/initiatives/init-00007",
}


@contextlib.asynccontextmanager
async def own_database() -> AsyncIterator[Settings]:
    server = os.environ.get("DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
    name = f"tollgate_board_bench_{uuid.uuid4().hex[:8]}"
    admin = await connect(server)
    await admin.execute(f"CREATE DATABASE {name}")
    base, _, query = server.partition("?")
    url = base.rsplit("/", 1)[0] + f"/{name}" + (f"?{query}" if query else "")
    nats_url = os.environ.get("NATS_URL", "nats://127.0.0.1:4222")
    try:
        yield Settings(database_url=url, nats_url=nats_url, stream=f"TG_{name.upper()}",
                       subject_root=name.replace("_", ""), demo=False)  # fmt: skip
    finally:
        await admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        await admin.close()
        await drop_stream(nats_url, f"TG_{name.upper()}")


def portfolio_events(n: int) -> list[list[Any]]:
    """n initiatives over every outcome, with priorities from 1.0 to 4.9."""
    out = []
    for i in range(n):
        events = initiative(i, OUTCOMES[i % len(OUTCOMES)], measurements=8)
        spread = 1 + (i * 37 % 40) / 10
        events = [
            replace(e, priority=spread) if isinstance(e, ideation.IdeaScored) else e for e in events
        ]
        out.append(envelopes(events))
    return out


async def session_cookie(pool: Pool, settings: Settings) -> str:
    user, _ = await ensure_user(pool, "bench-viewer", "viewer")
    async with pool.acquire() as conn:
        value = await sessions.start(
            conn, user.user_id, sessions.Limits.of(settings), datetime.now(UTC)
        )
    return f"{SESSION_COOKIE}={value}"


def bare(seconds: float) -> Stats:
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "tests.perf.bare_api", str(port)])
    try:
        url = f"http://127.0.0.1:{port}/bare"
        for _ in range(100):
            with contextlib.suppress(httpx.HTTPError):
                httpx.get(url, timeout=1)
                break
            time.sleep(0.1)
        return load(url, {}, CONNECTIONS, seconds)
    finally:
        proc.terminate()
        proc.wait(10)


async def median_ms(call: Callable[[], Awaitable[Any]], times: int = 20) -> float:
    spent = []
    for _ in range(times):
        began = time.perf_counter()
        await call()
        spent.append((time.perf_counter() - began) * 1000)
    return statistics.median(spent)


async def reads_in_process(pool: Pool) -> dict[str, float]:
    """The board's reads against what the board did before: every row decoded whole."""
    none = board.Filters()
    shown = dict.fromkeys(("ideation", "poc", "pilot", "mvp", "production"), 20)
    return {
        "columns (one LIMIT per stage)": await median_ms(
            lambda: board.columns(pool, none, shown, "priority")
        ),
        "figures (summary, gates, visits)": await median_ms(
            lambda: board_figures.computed(pool, none, 30)
        ),
        "figures, every row decoded whole (before)": await median_ms(
            lambda: queries.portfolio(pool, stale_days=30)
        ),
        "200 newest, every row decoded whole (before)": await median_ms(
            lambda: queries.list_initiatives(pool, limit=200)
        ),
    }


async def once_ms(url: str, cookie: str) -> float:
    async with httpx.AsyncClient(timeout=120, headers={"Cookie": cookie}) as http:
        began = time.perf_counter()
        response = await http.get(url)
        assert response.status_code == 200, response.text[:300]
        return (time.perf_counter() - began) * 1000


async def test_the_board_and_the_initiative_page_with_1000_initiatives():
    async with own_database() as settings:
        await migrate_all(settings.database_url)
        pool = await create_pool(settings.database_url, max_size=4)
        stack = None
        try:
            began = time.perf_counter()
            async with pool.acquire() as conn:
                await copy_rows(conn, portfolio_events(N))
            loaded = time.perf_counter() - began
            assert await pool.fetchval("SELECT count(*) FROM projection.initiatives") == N
            cookie = await session_cookie(pool, settings)
            in_process = await reads_in_process(pool)
            stack = await api_only(settings)
            headers = {"Cookie": cookie}
            pages = {
                name: await asyncio.to_thread(load, stack.url + path, headers, CONNECTIONS, SECONDS)
                for name, path in PAGES.items()
            }
            baseline = await asyncio.to_thread(bare, SECONDS)
            export_ms = await once_ms(f"{stack.url}/api/v1/initiatives?format=csv", cookie)
            pack_ms = await once_ms(f"{stack.url}/api/v1/initiatives/init-00007/gate-pack", cookie)
        finally:
            if stack is not None:
                await stack.stop_all()
            await pool.close()
    report(loaded, in_process, pages, baseline, export_ms, pack_ms)


def report(
    loaded: float,
    in_process: dict[str, float],
    pages: dict[str, Stats],
    baseline: Stats,
    export_ms: float,
    pack_ms: float,
) -> None:
    print(f"\n{N:,} initiatives written by the fast path in {loaded:.1f} s")
    print(
        f"\npages under {pages['board'].tool}, {CONNECTIONS} connections, {SECONDS:g} s each;"
        f" bare Litestar handler: {baseline.rate:,.0f} req/s, p50 {baseline.p50_ms:.1f} ms,"
        f" p99 {baseline.p99_ms:.1f} ms"
    )
    print(f"{'page':<18}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}{'errors':>8}{'vs bare':>9}")
    for name, s in pages.items():
        ratio = s.rate / baseline.rate if baseline.rate else 0.0
        print(
            f"{name:<18}{s.rate:>9,.0f}{s.p50_ms:>9.1f}{s.p99_ms:>9.1f}{s.errors:>8}{ratio:>9.3f}"
        )
        record(f"{name}_{N}_rps", s.rate, baseline.rate, "bare Litestar handler", "req/s")
        record(f"{name}_{N}_p99_ms", s.p99_ms, baseline.p99_ms, "bare Litestar handler", "ms")
    print("\nreads in-process (median of 20, ms):")
    for name, ms in in_process.items():
        print(f"  {name:<46}{ms:>8.1f}")
    record(
        f"board_reads_{N}_ms",
        in_process["columns (one LIMIT per stage)"]
        + in_process["figures (summary, gates, visits)"],
        in_process["figures, every row decoded whole (before)"],
        "portfolio figures decoding every row whole",
        "ms",
    )
    print(f"\nCSV export of {N:,} initiatives: {export_ms:.0f} ms (one request)")
    print(f"committee pack PDF (a pilot with 8 measurements): {pack_ms:.0f} ms (one request)")
    record(f"csv_export_{N}_ms", export_ms, None, "", "ms")
    record("gate_pack_pdf_ms", pack_ms, None, "", "ms")
