"""Wiring shared by the stage services: store, bus, command endpoints, relay, policy consumer.

Each services/<stage>/main.py names its decider and (for poc, pilot, mvp) the
policy that reacts to the previous stage's gate decisions.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Mapping
from typing import Any

import msgspec

from events.base import Command
from events.envelope import CloudEvent
from events.facts import latest
from events.replies import LOCATE, CommandReply, Locate, Problem, Whereabouts
from infra import commands
from infra.bus import Publisher, connect, ensure_stream
from infra.consumer import Consumer, Handler
from infra.db import Connection, create_pool
from infra.eventstore import EventStore
from infra.migrations import migrate_at
from infra.outbox import Relay
from infra.published import PublishedWatch
from infra.settings import Settings
from services.runner import Decider, Options, Runner
from services.stage import StageState

log = logging.getLogger(__name__)
_ENCODE = msgspec.json.Encoder()
_LOCATE = msgspec.json.Decoder(Locate)
StageDecider = Decider[Any, StageState, Any]


class Upstream(msgspec.Struct, frozen=True, kw_only=True):
    """The events of another stage this service reacts to, and how."""

    stage: str
    event_names: tuple[str, ...]
    decoder: msgspec.json.Decoder[Any]
    react: Callable[[Any], list[Command]]


def command_names(decider: Decider[Any, Any, Any]) -> list[str]:
    union = decider.COMMANDS.type
    members = getattr(union, "__args__", (union,))
    return [str(t.__struct_config__.tag) for t in members]


def published_stages(stage: str) -> tuple[str, ...]:
    """The subjects' stages a service's relay publishes: the MVP's store also holds the
    production events of launched initiatives."""
    return ("mvp", "production") if stage == "mvp" else (stage,)


async def run_stage(
    settings: Settings,
    stage: str,
    decider: StageDecider,
    upstream: Upstream | None,
    stop: asyncio.Event,
) -> None:
    """A stage service: it also answers `locate`, so the API finds an initiative's stage."""
    await run_service(settings, stage, decider, stop, upstream=upstream, locate=True)


async def run_service(
    settings: Settings,
    stage: str,
    decider: Decider[Any, Any, Any],
    stop: asyncio.Event,
    *,
    upstream: Upstream | None = None,
    locate: bool = False,
) -> None:
    """Any event-sourced service: its store (schema `stage`), command endpoints, relay."""
    database_url = settings.database_url_for(stage)  # this service's store: no other's tables
    # on a connection of its own, without the pool's statement timeout: a migration may
    # rewrite a long events table (003_json_payloads.sql)
    await migrate_at(database_url, stage, "eventstore")
    pool = await create_pool(database_url)
    nc = await connect(settings.nats_url, name=f"tollgate-{stage}")
    js = nc.jetstream()
    await ensure_stream(js, settings.subjects, settings.stream_replicas)
    store = EventStore(pool, stage)
    watch = PublishedWatch(database_url, store)
    runner = Runner(store, decider, watch)
    handle = _handler(stage, runner)
    names = [*command_names(decider), *([LOCATE] if locate else [])]
    service = await commands.serve(nc, settings.subjects, stage, names, handle)
    relay = Relay(
        database_url, store, Publisher(nc, settings.subjects),
        stages=published_stages(stage),
    )  # fmt: skip
    tasks = [asyncio.create_task(relay.run(stop)), asyncio.create_task(watch.run(stop))]
    if upstream is not None:
        consumer = Consumer(
            js,
            pool,
            schema=stage,
            durable=f"{settings.subject_root}-{stage}-handoff",
            stream=settings.stream,
            filter_subjects=[
                settings.subjects.stage_events(upstream.stage, n) for n in upstream.event_names
            ],
            handler=_reactor(runner, upstream),
        )
        tasks.append(asyncio.create_task(consumer.run(stop)))
    log.info("%s service ready", stage)
    try:
        await _until_stopped_or_failed(stop, tasks)
    finally:
        await asyncio.gather(*tasks, return_exceptions=True)
        await service.stop()
        await nc.drain()
        await pool.close()


def _handler(stage: str, runner: Runner[Any, Any, Any]) -> commands.Handle:
    async def handle(name: str, body: bytes, headers: Mapping[str, str]) -> bytes:
        try:
            return await answer(name, body, headers)
        except Exception as exc:  # never an empty reply: say what is known, and that's little
            log.exception("%s %s failed", stage, name)
            detail = (
                f"the {stage} service failed while handling {name} ({type(exc).__name__}); "
                "the command may have been applied"
            )
            return _ENCODE.encode(
                CommandReply(ok=False, error=Problem(code="unavailable", detail=detail))
            )

    async def answer(name: str, body: bytes, headers: Mapping[str, str]) -> bytes:
        if name != LOCATE:
            return _ENCODE.encode(await runner.handle_request(name, body, headers))
        try:
            asked = _LOCATE.decode(body)
        except msgspec.DecodeError as exc:
            return _ENCODE.encode(Problem(code="invalid", detail=f"invalid locate: {exc}"))
        folded = await runner.fetch(asked.initiative_id)
        state: StageState = folded.state
        facts, kpi = state.facts, state.facts.kpis.get(asked.kpi_id or "")
        last = latest(kpi) if kpi is not None else None
        return _ENCODE.encode(
            Whereabouts(
                stage=stage, status=state.status, version=folded.version,
                re_review=state.re_review is not None,
                risk_class=facts.risk_class or facts.risk_preclass,
                last_value=last.value if last is not None else None,
            )
        )  # fmt: skip

    return handle


def _reactor(runner: Runner[Any, Any, Any], upstream: Upstream) -> Handler:
    async def on_event(conn: Connection, event: CloudEvent, _sequence: int) -> None:
        try:
            decoded = upstream.decoder.decode(event.data)
        except msgspec.ValidationError as exc:  # not ours to understand: skip, don't loop
            log.error("skipping %s %s: %s", event.type, event.id, exc)
            return
        options = Options(correlation_id=event.correlationid, causation_id=event.id)
        for command in upstream.react(decoded):
            reply = await runner.execute(command, options, conn=conn)
            if reply.error is not None and reply.error.code not in ("refused", "forbidden"):
                raise RuntimeError(f"{event.type} {event.id}: {reply.error.detail}")
            if reply.error is not None:
                log.warning("%s %s refused: %s", event.type, event.id, reply.error.detail)

    return on_event


async def _until_stopped_or_failed(stop: asyncio.Event, tasks: list[asyncio.Task[None]]) -> None:
    """Return on stop; raise if a worker ends by itself, so the process exits and is restarted."""
    stopping = asyncio.create_task(stop.wait())
    done, _ = await asyncio.wait([stopping, *tasks], return_when=asyncio.FIRST_COMPLETED)
    if stopping not in done:
        stopping.cancel()
        failed = next(iter(done))
        stop.set()
        raise RuntimeError(f"a worker of this service ended: {failed.exception()!r}")
