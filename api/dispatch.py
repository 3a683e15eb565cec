"""Turn a request body into a stage command, send it to the owning service, shape the reply.

The body's fields plus the path parameters, the authenticated actor and `at` = now make
the command; `expected_version` travels as a NATS header, never inside the command.
"""

from __future__ import annotations

import contextlib
import uuid
from datetime import UTC, datetime
from typing import Any

import msgspec

from api.bodies import Body, ConditionIn, DecisionBody
from api.broker import OPEN_WAIT, Broker
from api.deps import checked_id
from api.metrics import COMMANDS
from api.problems import CommandFailedError
from events import gates, production
from events.base import Actor, Command
from events.replies import CORRELATION_ID, EXPECTED_VERSION, Problem
from infra.db import Pool
from services.projection import queries

_ENCODE = msgspec.json.Encoder()
ROUTING_WAIT = 3.0
KPI_STAGES = {"pilot": "pilot", "mvp": "mvp", "production": "mvp"}


class Accepted(msgspec.Struct, kw_only=True, omit_defaults=True):
    """A command's effect: the initiative, its stage stream's new version and the global
    position to pass as `min_position` to read your own write."""

    id: str
    version: int
    position: int | None = None
    event_ids: list[str] = []
    record_id: str | None = None


def new_id() -> str:
    return uuid.uuid4().hex[:12]


def new_initiative_id() -> str:
    return str(uuid.uuid4())


def build(
    command_type: type[Command],
    body: msgspec.Struct | None,
    initiative_id: str,
    actor: Actor,
    **fields: Any,
) -> Command:
    """The command from the body's fields (without expected_version) and the extras."""
    values = msgspec.structs.asdict(body) if body is not None else {}
    values.pop("expected_version", None)
    values.update(fields)
    values = {k: v for k, v in values.items() if v is not None or k in fields}
    at = values.pop("at", None) or datetime.now(UTC)
    return command_type(initiative_id=initiative_id, at=at, actor=actor, **values)


async def record(
    broker: Broker,
    actor: Actor,
    initiative_id: str,
    *,
    stage: str,
    command_type: type[Command],
    body: Body,
    id_field: str | None = None,
    open_wait: float = 0.0,
    **fields: Any,
) -> Accepted:
    """Stage work: the body as the stage's command; a missing record id is made up."""
    initiative_id = checked_id(initiative_id)
    record_id = None
    if id_field is not None:
        record_id = getattr(body, id_field) or new_id()
        fields[id_field] = record_id
    command = build(command_type, body, initiative_id, actor, **fields)
    return await send(broker, stage, command, body.expected_version, record_id, open_wait=open_wait)


async def send(
    broker: Broker,
    stage: str,
    command: Command,
    expected_version: int | None = None,
    record_id: str | None = None,
    *,
    open_wait: float = 0.0,
) -> Accepted:
    """Send one command; a refusal raises CommandFailedError (mapped to a problem response).
    `open_wait`: for a stage found in the read models, how long to wait for it to open."""
    name = str(type(command).__struct_config__.tag)
    headers = {CORRELATION_ID: str(uuid.uuid4())}
    if expected_version is not None:
        headers[EXPECTED_VERSION] = str(expected_version)
    try:
        reply = await broker.send(stage, name, _ENCODE.encode(command), headers, open_wait)
    except Exception:
        COMMANDS.labels(stage=stage, command=name, outcome="unavailable").inc()
        raise
    if not reply.ok:
        problem = reply.error or Problem(code="refused", detail="the command was refused")
        COMMANDS.labels(stage=stage, command=name, outcome=problem.code).inc()
        raise CommandFailedError(problem)
    COMMANDS.labels(stage=stage, command=name, outcome="ok").inc()
    return Accepted(
        id=reply.initiative_id or command.initiative_id, version=reply.version,
        position=reply.position, event_ids=list(reply.event_ids), record_id=record_id,
    )  # fmt: skip


async def record_at_current_stage(
    broker: Broker,
    pool: Pool,
    actor: Actor,
    initiative_id: str,
    *,
    command_type: type[Command],
    body: Body,
    **fields: Any,
) -> Accepted:
    """A gate command (review, condition, resume) for whichever service owns the initiative
    now, as the read models say; it waits briefly for a stage whose opening is in flight."""
    stage = await owner_stage(broker, pool, checked_id(initiative_id))
    return await record(broker, actor, initiative_id, stage=stage, command_type=command_type,
                        body=body, open_wait=OPEN_WAIT, **fields)  # fmt: skip


async def owner_stage(broker: Broker, pool: Pool, initiative_id: str) -> str:
    """The service that owns the initiative now (per the read models); 404 when unknown.
    A launched initiative's production events come from the mvp service."""
    stage, _ = await _whereabouts(broker, pool, initiative_id)
    return "mvp" if stage == "production" else stage


async def kpi_stage(broker: Broker, pool: Pool, initiative_id: str) -> str:
    """Where a KPI measurement goes: pilot, mvp, or mvp again once launched."""
    stage, status = await _whereabouts(broker, pool, initiative_id)
    if status == "launched" or stage == "production":
        return "mvp"
    if stage not in KPI_STAGES:
        raise CommandFailedError(Problem(
            code="refused",
            detail=f"KPIs are measured from the pilot stage on; this initiative is in {stage}",
        ))  # fmt: skip
    return KPI_STAGES[stage]


async def _whereabouts(broker: Broker, pool: Pool, initiative_id: str) -> tuple[str, str]:
    """Stage and status once the read models caught up with the stream (bounded), so that
    a command right after another one is routed by the state that one left."""
    with contextlib.suppress(Exception):
        lag = await broker.lag(pool)
        if lag.events_behind:
            await queries.wait_for_position(pool, lag.stream_last, ROUTING_WAIT)
    detail = await queries.get_initiative(pool, initiative_id)
    if detail is None:
        raise CommandFailedError(Problem(code="not_found", detail=f"no initiative {initiative_id}"))
    return str(detail.summary.stage), str(detail.summary.status)


def conditions(data: DecisionBody) -> tuple[gates.Condition, ...]:
    """Plain strings become conditions with made-up ids."""
    made = []
    for given in data.conditions:
        item = given if isinstance(given, ConditionIn) else ConditionIn(text=given)
        made.append(gates.Condition(condition_id=item.condition_id or new_id(), text=item.text))
    return tuple(made)


async def cast_vote(
    broker: Broker, pool: Pool, actor: Actor, initiative_id: str, data: DecisionBody
) -> Accepted:
    """One committee member's vote at the current gate; the decision once the quorum agrees.
    For a launched initiative under re-review: go keeps it running, kill retires it."""
    stage, status = await _whereabouts(broker, pool, checked_id(initiative_id))
    if status == "launched":
        return await send(broker, "mvp", _re_review(actor, initiative_id, data))
    command = gates.DecideGate(
        initiative_id=initiative_id, at=datetime.now(UTC), actor=actor,
        vote_id=data.vote_id or new_id(), decision=data.decision,
        rationale=data.rationale, conditions=conditions(data),
    )  # fmt: skip
    return await send(
        broker, "mvp" if stage == "production" else stage, command, data.expected_version,
        command.vote_id, open_wait=OPEN_WAIT,
    )  # fmt: skip


RE_REVIEW: dict[str, production.ReReviewOutcome] = {"go": "continue", "kill": "retire"}


def _re_review(actor: Actor, initiative_id: str, data: DecisionBody) -> production.DecideReReview:
    outcome = RE_REVIEW.get(data.decision)
    if outcome is None:
        raise CommandFailedError(Problem(code="invalid", detail=(
            "a launched initiative's re-review is decided with go (keep it running) "
            f"or kill (retire it), not {data.decision}"
        )))  # fmt: skip
    return production.DecideReReview(
        initiative_id=initiative_id, at=datetime.now(UTC), actor=actor, decision=outcome,
        rationale=data.rationale,
    )  # fmt: skip
