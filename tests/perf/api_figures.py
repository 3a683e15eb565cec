"""The HTTP figures against every service as a real process: reads with wrk (32
connections) beside the bare Litestar handler served the same way, proposals over HTTP
(16 clients) up to the 10,000-initiative portfolio, and every process's RSS."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import time
from dataclasses import dataclass, field

import httpx
import msgspec
import nats

from infra.db import Pool, create_pool
from infra.settings import Settings
from launch.cli import SERVICES
from launch.demo import seed
from launch.embedded import free_port
from services.projection import queries
from tests.accounts import ensure_user
from tests.perf.http_load import Stats, hammer, load
from tests.stack import Stack, start_stack

READERS, WRITERS = 32, 16
PROPOSAL = msgspec.json.encode({
    "title": "Bench idea", "problem_statement": "Manual triage is slow",
    "business_goal": "Halve the triage time", "sponsor": "COO", "owner": "bench-owner",
})  # fmt: skip


@dataclass
class Figures:
    reads: dict[str, Stats] = field(default_factory=dict)  # path -> at the demo's size
    bare: Stats | None = None
    proposals: Stats | None = None
    at_scale: dict[str, Stats] = field(default_factory=dict)  # path -> at 10,000 initiatives
    as_of_ms: float = 0.0
    initiatives: int = 0
    rss_mb: dict[str, float] = field(default_factory=dict)


async def api_figures(bus: Settings, seconds: float, seeded: int) -> Figures:
    stack = await start_stack(bus, list(SERVICES))
    pool = await create_pool(bus.database_url, max_size=4)
    got = Figures()
    try:
        token = (await ensure_user(pool, "bench-viewer", "viewer"))[1]
        owner = (await ensure_user(pool, "bench-owner", "owner"))[1]
        await seed(bus, pool)
        got.reads = await _reads(stack, pool, token, seconds)
        got.bare = await asyncio.to_thread(_bare, seconds)
        got.proposals = await _propose(stack, pool, owner, seeded)
        await _caught_up(bus, pool)
        got.initiatives = int(await pool.fetchval("SELECT count(*) FROM projection.initiatives"))
        got.at_scale = await _reads(stack, pool, token, seconds, paths=("portfolio", "list"))
        got.as_of_ms = await _as_of(stack, token)
        got.rss_mb = {name: rss_mb(p.pid) for name, p in stack.procs.items()}
    finally:
        await pool.close()
        await stack.stop_all()
    return got


async def _reads(
    stack: Stack, pool: Pool, token: str, seconds: float, paths: tuple[str, ...] = ("one", "list",
    "portfolio", "one_miss", "list_miss"),
) -> dict[str, Stats]:  # fmt: skip
    """`one_miss`, `list_miss`: each request a URL of its own, so that the API's read cache
    (api/read_cache.py) never answers: what a read costs when it runs."""
    one = await pool.fetchval("SELECT initiative_id FROM projection.initiatives LIMIT 1")
    urls = {"one": f"initiatives/{one}", "list": "initiatives?limit=50", "portfolio": "portfolio"}
    headers = {"Authorization": f"Bearer {token}"}
    return {p: await asyncio.to_thread(
        _warm_load, f"{stack.url}/api/v1/{urls[p.removesuffix('_miss')]}", headers, seconds,
        p.endswith("_miss"),
    ) for p in paths}  # fmt: skip


def _warm_load(url: str, headers: dict[str, str], seconds: float, distinct: bool = False) -> Stats:
    """One request first (the same for every URL, the bare one too), then the load."""
    assert httpx.get(url, headers=headers, timeout=60).status_code == 200, url
    return load(url, headers, READERS, seconds, distinct)


def _bare(seconds: float) -> Stats:
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "tests.perf.bare_api", str(port)])
    try:
        url = f"http://127.0.0.1:{port}/bare"
        for _ in range(100):
            try:
                httpx.get(url, timeout=1)
                break
            except httpx.HTTPError:
                time.sleep(0.1)
        return _warm_load(url, {}, seconds)
    finally:
        proc.terminate()
        proc.wait(10)


async def _propose(stack: Stack, pool: Pool, token: str, count: int) -> Stats:
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    url = f"{stack.url}/api/v1/initiatives"
    return await hammer(url, headers, WRITERS, count=count, method="POST", body=PROPOSAL)


async def _caught_up(bus: Settings, pool: Pool) -> None:
    nc = await nats.connect(bus.nats_url)
    last = (await nc.jetstream().stream_info(bus.stream)).state.last_seq
    await nc.close()
    assert await queries.wait_for_position(pool, last, timeout=300), "projection behind"


async def _as_of(stack: Stack, token: str) -> float:
    """GET /portfolio?as_of=now at the full size, in ms (the slowest of three)."""
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(base_url=f"{stack.url}/api/v1", timeout=60) as http:
        slowest = 0.0
        for _ in range(3):
            began = time.perf_counter()
            moment = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
            response = await http.get("/portfolio", params={"as_of": moment}, headers=headers)
            assert response.status_code == 200, response.text
            slowest = max(slowest, (time.perf_counter() - began) * 1000)
    return slowest


def rss_mb(pid: int) -> float:
    """A process's resident set now, in MB."""
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0
