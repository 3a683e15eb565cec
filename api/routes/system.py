"""Operations: /health, /metrics, and the AsyncAPI document."""

from __future__ import annotations

import asyncio
import contextlib
import time
from typing import Any

import msgspec
from litestar import Controller, Response, get
from litestar.di import NamedDependency
from litestar.openapi import ResponseSpec

from api import asyncapi
from api.auth import ADMINS, requires
from api.deps import Deps
from api.metrics import CONTENT_TYPE, LAG, RELAY_BLOCKED, exposition
from infra.eventstore import oldest_writer
from services.projection.models import Lag

# every service that answers commands: the stages, and the agents and trends services
COMMAND_SERVICES = ("ideation", "poc", "pilot", "mvp", "agents", "trends")
MAX_LAG = 1000
MAX_LAG_SECONDS = 60.0  # the oldest event the projection has not applied yet
RELAY_STALL_SECONDS = 10.0


class Check(msgspec.Struct, kw_only=True, omit_defaults=True):
    ok: bool
    detail: str = ""
    ms: int = 0


class Health(msgspec.Struct, kw_only=True):
    status: str
    checks: dict[str, Check]
    projection_lag: Lag | None = None


async def _timed(name: str, probe: Any) -> tuple[str, Check]:
    started = time.perf_counter()
    try:
        ok, detail = await asyncio.wait_for(probe, 3)
    except Exception as exc:
        ok, detail = False, f"{type(exc).__name__}: {exc}"[:200]
    return name, Check(ok=ok, detail=detail, ms=int((time.perf_counter() - started) * 1000))


async def _database(deps: Deps) -> tuple[bool, str]:
    await deps.pool.fetchval("SELECT 1")
    if deps.read_pool is not None:  # the read models live in a database of their own
        await deps.read_pool.fetchval("SELECT 1")
    return True, ""


async def _relay(deps: Deps) -> tuple[bool, str]:
    """Stalled when a writing transaction of this database holds the publishing horizon."""
    writer = await oldest_writer(deps.pool)
    age = writer.age if writer else 0.0
    RELAY_BLOCKED.set(age)
    if writer is None or age <= RELAY_STALL_SECONDS:
        return True, ""
    return False, (
        f"stalled: a writing transaction (pid {writer.pid}) has been open for {age:.0f}s; "
        "events committed after it are published once it ends"
    )


async def _service(deps: Deps, stage: str) -> tuple[bool, str]:
    up = await deps.broker.ping(stage)
    return up, "" if up else f"{deps.settings.subjects.service(stage)} does not answer"


def projection_check(lag: Lag) -> Check:
    """Behind by too many events, or for too long: the oldest waiting event's age counts too,
    so a stuck projection shows even when few events arrive."""
    ok = lag.events_behind <= MAX_LAG and lag.seconds_behind <= MAX_LAG_SECONDS
    detail = f"{lag.events_behind} events behind"
    if lag.events_behind:
        detail += f"; the oldest has waited {lag.seconds_behind:.1f}s"
    if not ok:
        detail += f" (limits: {MAX_LAG} events, {MAX_LAG_SECONDS:.0f}s)"
    return Check(ok=ok, detail=detail)


async def projection_lag(deps: Deps) -> Lag:
    lag = await deps.broker.lag(deps.reads)
    LAG.set(lag.events_behind)
    return lag


class SystemController(Controller):
    path = "/"
    tags = ["operations"]
    include_in_schema = True

    @get(
        "/health",
        operation_id="health",
        exclude_from_auth=True,
        responses={
            503: ResponseSpec(
                Health, generate_examples=False, description="What `checks` names is not ok"
            )
        },
    )
    async def health(self, deps: NamedDependency[Deps]) -> Response[Health]:
        """Database, the outbox relays (stalled when a writing transaction of the database has
        been open over 10 s), broker, each service that answers commands (the stages, agents,
        trends: a NATS service ping) and projection lag (over 1,000 events, or its oldest
        event waiting over 60 s): 200 when all are fine, else 503 naming what is not."""
        probes = [_timed("database", _database(deps)), _timed("relay", _relay(deps))]
        probes += [_timed(s, _service(deps, s)) for s in COMMAND_SERVICES]
        checks = dict(await asyncio.gather(*probes))
        lag: Lag | None = None
        try:
            lag = await asyncio.wait_for(projection_lag(deps), 3)
        except Exception as exc:
            detail = f"no stream information: {type(exc).__name__}: {exc}"[:200]
            checks["broker"] = checks["projection"] = Check(ok=False, detail=detail)
        else:
            checks["broker"] = Check(ok=True)
            checks["projection"] = projection_check(lag)
        ok = all(c.ok for c in checks.values())
        body = Health(status="ok" if ok else "degraded", checks=checks, projection_lag=lag)
        return Response(body, status_code=200 if ok else 503)

    @get("/metrics", operation_id="metrics", guards=[requires(*ADMINS)], include_in_schema=False)
    async def metrics(self, deps: NamedDependency[Deps]) -> Response[bytes]:
        """Prometheus metrics: requests, commands by outcome, projection lag, webhooks. Only
        for an admin (`Authorization: Bearer <an admin's token>`): the figures tell an
        outsider how the instance is used."""
        with contextlib.suppress(Exception):
            await asyncio.wait_for(projection_lag(deps), 2)
        with contextlib.suppress(Exception):
            await asyncio.wait_for(_relay(deps), 2)
        return Response(exposition(), media_type=CONTENT_TYPE)


class AsyncApiController(Controller):
    path = "/asyncapi.json"
    tags = ["events"]

    @get("/", operation_id="getAsyncApi", exclude_from_auth=True)
    async def document(self, deps: NamedDependency[Deps]) -> dict[str, Any]:
        """The AsyncAPI 3.0 document of every NATS subject, event and command schema."""
        return _cached(deps)


_DOCS: dict[tuple[str, str], dict[str, Any]] = {}


def _cached(deps: Deps) -> dict[str, Any]:
    key = (deps.settings.subject_root, deps.settings.nats_url)
    if key not in _DOCS:
        _DOCS[key] = asyncapi.document(deps.settings.subjects, deps.settings.nats_url)
    return _DOCS[key]
