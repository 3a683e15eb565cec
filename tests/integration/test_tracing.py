"""One command, one trace: a G1 decision sent over HTTP with a W3C traceparent is followed
through the API, the NATS command, the ideation service and its event store, its relay's
publish to JetStream, and every consumer of the event: the projection writing its read
models, the webhook worker, and the poc service, which opens the PoC and whose relay and the
projection carry the trace on. Every process exports to a small OTLP/HTTP receiver here."""

from __future__ import annotations

import asyncio
import contextlib
import secrets
import time
import uuid
from collections.abc import AsyncIterator

import msgspec
import nats
import pytest
import pytest_asyncio

from infra.db import connect
from infra.migrations import migrate_all
from infra.settings import Settings
from launch.cli import SERVICES
from tests.integration.api_stack import Api, make_users
from tests.integration.otlp_receiver import OtlpReceiver, Span
from tests.integration.test_api_lifecycle import IDEA, step
from tests.integration.test_service_databases import _url
from tests.stack import Stack

pytestmark = pytest.mark.asyncio(loop_scope="session")
SERVER, CLIENT, PRODUCER, CONSUMER = 2, 3, 4, 5  # OTLP span kinds
PROCESSES = {f"tollgate-{s}" for s in ("api", "ideation", "projection", "webhooks", "poc")}


@pytest_asyncio.fixture(loop_scope="session")
async def traced(pg_server_url: str, settings: Settings) -> AsyncIterator[tuple[Api, OtlpReceiver]]:
    """The whole stack exporting its spans to a receiver, on a database and stream of its own."""
    run = uuid.uuid4().hex[:8]
    name = f"tollgate_traces_{run}"
    admin = await connect(pg_server_url)
    await admin.execute(f"CREATE DATABASE {name}")
    own = msgspec.structs.replace(
        settings,
        database_url=_url(pg_server_url, name),
        stream=f"{settings.stream}_TR{run}",
        subject_root=f"{settings.subject_root}tr{run}",
    )
    await migrate_all(own.database_url)
    with OtlpReceiver() as receiver:
        env = {"OTEL_EXPORTER_OTLP_ENDPOINT": receiver.endpoint, "OTEL_BSP_SCHEDULE_DELAY": "200"}
        stack = Stack(own, extra_env={**env, "TOLLGATE_LOG_FORMAT": "json"})
        api = None
        try:
            await stack.start(*SERVICES)
            api = Api(stack, await make_users(own))
            yield api, receiver
        finally:
            if api is not None:
                await api.http.aclose()
            with contextlib.suppress(Exception):
                await stack.stop_all()
            await admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
            await admin.close()


async def ready_for_g1(api: Api) -> str:
    created = await step(api, "/initiatives", "contributor", IDEA)
    iid = str(created["id"])
    base = f"/initiatives/{iid}/ideation"
    workshop = {"held_on": "2026-01-15", "participants": ["ana"], "outcome": "Worth a PoC"}
    await step(api, f"{base}/workshops", "contributor", workshop)
    scores = {"value": 5, "feasibility": 4, "risk": 2, "strategic_fit": 4}
    await step(api, f"{base}/scores", "owner", scores)
    await step(api, f"{base}/sourcing", "contributor", {"sourcing": "build", "rationale": "Ours."})
    risk = {"risk_class": "limited", "rationale": "Assists clerks only."}
    await step(api, f"{base}/risk", "contributor", risk)
    await step(api, f"/initiatives/{iid}/gate-reviews", "owner")
    return iid


def complete(spans: list[Span], root_parent: str) -> bool:
    """Every process took part, the PoC's opening reached the read models, and every span's
    parent is in the trace (only the API's first span hangs from the caller's)."""
    services = {s.service for s in spans}
    poc_applied = any(
        s.service == "tollgate-projection" and s.kind == CONSUMER and ".events.poc." in s.name
        for s in spans
    )
    ids = {s.span_id for s in spans}
    return (
        services >= PROCESSES
        and poc_applied
        and {s.parent_id for s in spans} - ids == {root_parent}
    )


async def trace_of(receiver: OtlpReceiver, trace_id: str, root_parent: str) -> list[Span]:
    deadline = time.monotonic() + 30
    while not complete(spans := receiver.spans(trace_id), root_parent):
        if time.monotonic() > deadline:
            return spans  # the assertions below say what is missing
        await asyncio.sleep(0.2)
    return spans


async def test_one_command_gives_one_connected_trace_across_five_processes(
    traced: tuple[Api, OtlpReceiver],
):
    api, receiver = traced
    iid = await ready_for_g1(api)
    trace_id, caller = secrets.token_hex(16), secrets.token_hex(8)
    decision = {"decision": "go", "rationale": "Promising."}
    response = await api.http.post(
        f"/initiatives/{iid}/gate-decisions",
        json=decision,
        headers={**api.headers("committee"), "traceparent": f"00-{trace_id}-{caller}-01"},
    )
    assert response.status_code == 201, response.text

    spans = await trace_of(receiver, trace_id, caller)
    by_id = {s.span_id: s for s in spans}
    assert {s.service for s in spans} >= PROCESSES, sorted({s.service for s in spans})
    assert {s.parent_id for s in spans} - set(by_id) == {caller}, "the trace is not connected"
    root = next(s for s in spans if s.parent_id == caller)
    assert (root.service, root.kind) == ("tollgate-api", SERVER)

    def one(service: str, kind: int, part: str) -> Span:
        found = [s for s in spans if s.service == service and s.kind == kind and part in s.name]
        assert found, f"no {kind} span of {service} naming {part}: {sorted(s.name for s in spans)}"
        return found[0]

    command = one("tollgate-ideation", SERVER, ".cmd.ideation.")
    assert by_id[command.parent_id].service == "tollgate-api"  # the NATS request's span
    published = one("tollgate-ideation", PRODUCER, ".events.ideation.gate_decided.")
    applied = one("tollgate-projection", CONSUMER, ".events.ideation.")
    assert by_id[applied.parent_id] in [s for s in spans if s.kind == PRODUCER]
    assert by_id[published.parent_id].service == "tollgate-ideation"
    writes = [s for s in spans if s.parent_id == applied.span_id and s.kind == CLIENT]
    assert writes, "the projection's read-model writes are not in the trace"
    handoff = one("tollgate-poc", CONSUMER, ".events.ideation.")
    opened = one("tollgate-poc", PRODUCER, ".events.poc.")
    assert by_id[opened.parent_id].service == "tollgate-poc" and handoff.trace_id == trace_id
    one("tollgate-webhooks", CONSUMER, ".events.ideation.")

    # subscribers can continue it: the CloudEvent carries the command's traceparent, and the
    # JetStream message the relay's publish span
    events = (await api.get(f"/initiatives/{iid}/events")).json()
    decided = [e for e in events if e["type"] == "io.tollgate.ideation.gate_decided.v1"]
    assert decided and decided[-1]["traceparent"].split("-")[1] == trace_id
    assert decided[-1]["traceparent"].split("-")[2] in {s.span_id for s in spans}
    nc = await nats.connect(api.stack.settings.nats_url)
    try:
        subject = f"{api.stack.settings.subject_root}.events.ideation.gate_decided.{iid}"
        msg = await nc.jetstream().get_last_msg(api.stack.settings.stream, subject)
    finally:
        await nc.close()
    header = (msg.headers or {})["traceparent"]
    assert header.split("-")[1] == trace_id and header.split("-")[2] == published.span_id
