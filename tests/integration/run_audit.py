"""A whole stack under HTTP load while something is killed, and what is checked afterwards:
every acknowledged command stored once and published once, each event delivered to the
webhook receiver once, and a projection rebuild equal to the live read models.

Shared by the cluster test (NATS nodes killed) and the takeover tests (the active relay,
projection writer or webhook worker killed). Each run has a database of its own.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
import uuid
from collections import Counter
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field

import nats

from api.webhooks import store as webhooks
from infra.db import Pool, connect, create_pool
from infra.settings import Settings
from services.projection.rebuild import rebuild
from tests.integration import chaos_audit as audit
from tests.integration import chaos_observe as observe
from tests.integration.chaos_client import Sent
from tests.integration.test_projection import snapshot

SETTLE = 90.0  # bound on waiting for the stack to catch up once the load ends


@contextlib.asynccontextmanager
async def fresh_database(pg_server_url: str) -> AsyncIterator[str]:
    """A database of its own (the audits read every stage schema whole), dropped after."""
    name = f"tollgate_run_{uuid.uuid4().hex[:8]}"
    admin = await connect(pg_server_url)
    await admin.execute(f"CREATE DATABASE {name}")
    base, _, query = pg_server_url.partition("?")
    try:
        yield base.rsplit("/", 1)[0] + f"/{name}" + (f"?{query}" if query else "")
    finally:
        await admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        await admin.close()


class Sink:
    """A webhook receiver on 127.0.0.1 that records when each event id arrived."""

    def __init__(self, port: int, delay: float = 0.0) -> None:
        self.port = port
        self.delay = delay  # seconds before each answer: deliveries are in flight a while
        self.url = f"http://127.0.0.1:{port}/hook"
        self.received: list[tuple[float, str]] = []  # (time.monotonic(), webhook-id)

    async def __aenter__(self) -> Sink:
        self.server = await asyncio.start_server(self.handle, "127.0.0.1", self.port)
        return self

    async def __aexit__(self, *_: object) -> None:
        self.server.close()
        await self.server.wait_closed()

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        with contextlib.suppress(ConnectionError, asyncio.IncompleteReadError):
            head = (await reader.readuntil(b"\r\n\r\n")).decode().split("\r\n")
            headers = {k.lower(): v.strip() for k, _, v in (h.partition(":") for h in head[1:])}
            await reader.readexactly(int(headers.get("content-length", "0")))
            self.received.append((time.monotonic(), headers.get("webhook-id", "")))
            await asyncio.sleep(self.delay)
            writer.write(
                b"HTTP/1.1 204 No Content\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"
            )
            await writer.drain()
        writer.close()


async def subscribe_all(settings: Settings, sink: Sink) -> None:
    """A subscription to every event, as an admin would make it (before any event exists)."""
    pool = await create_pool(settings.database_url, max_size=1)
    try:
        await webhooks.create(
            pool,
            url=sink.url,
            event_types=[],
            secret="whsec_" + "A" * 32,
            initiative_id=None,
            created_by="admin",
        )
    finally:
        await pool.close()


@dataclass
class Run:
    """What one run sent, and what it found once everything settled."""

    ledger: list[Sent] = field(default_factory=list)
    unsettled: str | None = None
    stored: list[observe.Stored] = field(default_factory=list)
    published: list[observe.Published] = field(default_factory=list)
    live: observe.Snapshot = ([], [], 0)
    rebuilt: observe.Snapshot = ([], [], 0)
    windows: list[tuple[float, float, str]] = field(default_factory=list)  # faults

    def near(self, start: float, end: float | None = None, after: float = 3.0) -> list[str]:
        """The faults under way between `start` and `end`, or ended `after` s before."""
        end = start if end is None else end
        return [label for b, r, label in self.windows if b <= end and start <= r + after]


async def look(settings: Settings, run: Run) -> None:
    """Once settled: the stores, the whole stream, the live read models and a rebuild."""
    nc = await nats.connect(settings.nats_url.split(","))
    js, subject = nc.jetstream(), settings.subjects.events
    pool = await create_pool(settings.database_url)
    try:
        run.unsettled = await observe.settle(js, pool, settings.stream, subject, SETTLE)
        run.unsettled = run.unsettled or await _deliveries_settled(pool, SETTLE)
        run.stored = await observe.stored_events(pool)
        run.published = await observe.stream_messages(js, settings.stream, subject)
        run.live = await snapshot(pool)
        await rebuild(settings)
        run.rebuilt = await snapshot(pool)
    finally:
        await pool.close()
        await nc.close()


async def _deliveries_settled(pool: Pool, timeout: float) -> str | None:
    deadline = time.monotonic() + timeout
    pending_sql = "SELECT count(*) FROM api.deliveries WHERE status = 'pending'"
    while pending := await pool.fetchval(pending_sql):
        if time.monotonic() > deadline:
            return f"{pending} webhook deliveries still pending"
        await asyncio.sleep(0.25)
    return None


def problems(run: Run, *, positions: bool = True) -> list[str]:
    """Acknowledged commands stored once, each event once on the stream, faults answered
    503, the rebuild equal to the live read models."""
    found = [f"not settled after {SETTLE:g}s: {run.unsettled}"] if run.unsettled else []
    found += audit.stream_problems(run.stored, run.published)[1]
    found += audit.audit_commands(run.ledger, run.stored, run.near)
    found += audit.audit_answers(run.ledger)
    found += audit.audit_positions(run.ledger, run.near) if positions else []
    found += audit.projection_problems(run.stored, run.live, run.rebuilt)
    found += [f"{s.step} {s.key}: {e}" for s in run.ledger for e in s.errors][:10]
    return found


def webhook_problems(
    sink: Sink, stored: list[observe.Stored], in_flight: Callable[[float], bool] = lambda _: False
) -> list[str]:
    """Each stored event delivered once. A copy sent twice is excused only if `in_flight`
    says its first copy arrived while the worker sending it was killed (the receiver had it,
    the worker's record of it died with the worker: webhooks are at least once there)."""
    ids = {e.event_id for e in stored}
    counts = Counter(i for _, i in sink.received)
    first = {}
    for at, i in sink.received:
        first.setdefault(i, at)
    found = []
    if missing := ids - set(counts):
        found.append(f"{len(missing)} events never delivered, e.g. {sorted(missing)[:3]}")
    if extra := set(counts) - ids:
        found.append(f"{len(extra)} deliveries of no stored event, e.g. {sorted(extra)[:3]}")
    twice = {i: n for i, n in counts.items() if n > 1 and not in_flight(first[i])}
    if twice:
        found.append(f"{len(twice)} events delivered more than once: {sorted(twice.items())[:3]}")
    return found


def error_time(ledger: list[Sent]) -> tuple[float, int, tuple[float, float] | None]:
    """How long at least one client saw an error (5xx, no connection, timeout): the union
    of the failed requests' durations, their number, and the first and last moment."""
    spans = sorted(span for s in ledger for span in s.failed)
    if not spans:
        return 0.0, 0, None
    total, (start, end) = 0.0, spans[0]
    for b, e in spans[1:]:
        if b > end:
            total, start = total + end - start, b
        end = max(end, e)
    total += end - start
    return total, len(spans), (spans[0][0], max(e for _, e in spans))


def report(title: str, run: Run, began: float) -> None:
    counts, _ = audit.stream_problems(run.stored, run.published)
    print(f"\n{title}")
    for name, n in {**audit.command_counts(run.ledger), **counts}.items():
        print(f"  {name:28} {n}")
    for b, r, label in run.windows:
        print(f"  {label}: at {b - began:.1f}s, recovered {r - b:.1f}s later")
    seen, failed, window = error_time(run.ledger)
    when = f", from {window[0] - began:.1f}s to {window[1] - began:.1f}s" if window else ""
    print(f"  clients saw errors for {seen:.1f}s in all ({failed} failed requests{when})")
    print(f"  refusals: {dict(audit.refusals(run.ledger))}")
    late = [s.sent_at - began for s in run.ledger if s.acknowledged and "position" not in s.reply]
    if late:
        sent = ", ".join(f"{t:.1f}s" for t in late[:8])
        print(f"  acknowledged without a position (not yet published): {len(late)}, sent {sent}")
    print(f"  slowest command: {audit.slowest(run.ledger)}")
