"""Reading what the chaos run left behind: the stage stores, the whole stream, and
whether everything has settled (consumers drained, relays and read models caught up)."""

from __future__ import annotations

import asyncio
import json
import time
from dataclasses import dataclass
from typing import Any

import nats
import nats.errors
from nats.js import JetStreamContext
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy, Header
from nats.js.errors import ServiceUnavailableError

from events.subjects import Subjects
from infra.db import Pool
from services.projection import queries
from tests.integration.chaos_client import Fingerprint
from tests.integration.chaos_faults import STAGES

Snapshot = tuple[list[bytes], list[tuple[str, int]], int]  # see test_projection.snapshot


@dataclass(frozen=True)
class Stored:
    event_id: str
    schema: str
    stream_id: str
    type: str
    data: dict[str, Any]

    def matches(self, fp: Fingerprint) -> bool:
        if (self.schema, self.type) != (fp.schema, fp.type):
            return False
        if fp.stream is not None and self.stream_id != fp.stream:
            return False
        return fp.field is None or str(self.data.get(fp.field[0])) == fp.field[1]


@dataclass(frozen=True)
class Published:
    sequence: int
    msg_id: str | None  # the Nats-Msg-Id header
    event_id: str  # the CloudEvent id


async def stored_events(pool: Pool) -> list[Stored]:
    rows = []
    for schema in STAGES:
        sql = f"SELECT event_id::text, stream_id, type, data FROM {schema}.events"
        rows += [Stored(r[0], schema, r[1], r[2], json.loads(r[3])) for r in await pool.fetch(sql)]
    return rows


async def stream_messages(js: JetStreamContext, stream: str, subject: str) -> list[Published]:
    """The whole stream, read with an ephemeral consumer that acknowledges nothing."""
    last = (await js.stream_info(stream)).state.last_seq
    config = ConsumerConfig(
        deliver_policy=DeliverPolicy.ALL, ack_policy=AckPolicy.NONE, inactive_threshold=30
    )
    sub = await js.pull_subscribe(subject, stream=stream, config=config)
    out: list[Published] = []
    try:
        for _ in range(last // 500 + 10):  # bounded: a few empty fetches at most
            if not last or (out and out[-1].sequence >= last):
                break
            try:
                msgs = await sub.fetch(500, timeout=2)
            except nats.errors.TimeoutError:
                continue
            except ServiceUnavailableError:  # a cluster's new consumer has no leader yet
                await asyncio.sleep(0.5)
                continue
            out += [
                Published(
                    m.metadata.sequence.stream,
                    (m.headers or {}).get(Header.MSG_ID),
                    str(json.loads(m.data).get("id")),
                )
                for m in msgs
            ]
    finally:
        await sub.unsubscribe()
    return out


async def settle(
    js: JetStreamContext, pool: Pool, stream: str, subject: str, timeout: float
) -> str | None:
    """Wait until every durable consumer is drained, every stored event is on the stream
    and the read models applied its last message. None once settled, else what is not."""
    deadline = time.monotonic() + timeout
    while True:
        waiting = await _unsettled(js, pool, stream, subject)
        if waiting is None or time.monotonic() > deadline:
            return waiting
        await asyncio.sleep(0.25)


async def _unsettled(js: JetStreamContext, pool: Pool, stream: str, subject: str) -> str | None:
    try:
        for c in await js.consumers_info(stream):
            if c.config.durable_name and (c.num_pending or c.num_ack_pending):
                return (
                    f"consumer {c.config.durable_name}: {c.num_pending} pending, "
                    f"{c.num_ack_pending} unacknowledged"
                )
        stored = {e.event_id for e in await stored_events(pool)}
        info = (await js.stream_info(stream)).state
        if info.messages < len(stored):
            return f"{len(stored)} events stored, {info.messages} messages on the stream"
        unpublished = stored - {m.event_id for m in await stream_messages(js, stream, subject)}
        if unpublished:
            return f"{len(unpublished)} stored events not on the stream, e.g. {min(unpublished)}"
        applied = await queries.applied_position(pool)
        if applied < info.last_seq:
            return f"read models at {applied}, stream at {info.last_seq}"
    except Exception as exc:  # a server still recovering: look again
        return f"not answering: {exc!r}"
    return None


async def service_errors(nc: nats.NATS, subjects: Subjects) -> list[str]:
    """What the stage services' command handlers raised (their $SRV.STATS): a handler that
    raises is answered by nats micro with an empty error reply."""
    lines = []
    for stage in STAGES:
        try:
            msg = await nc.request(f"$SRV.STATS.{subjects.service(stage)}", b"", timeout=1)
        except nats.errors.Error:
            continue
        for e in json.loads(msg.data).get("endpoints", []):
            if e.get("num_errors"):
                lines.append(
                    f"{stage} {e['name']}: {e['num_errors']} errors, last {e['last_error']}"
                )
    return lines


async def unpublished_evidence(pool: Pool, missing: set[str]) -> list[str]:
    """Where the stored events that never reached the stream sit, and each relay's checkpoint."""
    lines = []
    for schema in STAGES:
        rows = await pool.fetch(
            f"SELECT event_id::text, position, tx_id::text, type, stream_id, version, "
            f"recorded_at FROM {schema}.events WHERE event_id::text = ANY($1::text[])",
            sorted(missing),
        )
        lines += [f"unpublished {schema}: {dict(r)}" for r in rows[:5]]
        if rows:
            checkpoints = await pool.fetch(f"SELECT * FROM {schema}.checkpoints")
            lines += [f"  {schema} checkpoint: {dict(c)}" for c in checkpoints]
    return lines
