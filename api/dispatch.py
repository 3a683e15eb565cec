"""Turn a request body into a stage command, send it to the owning service, shape the reply.

The body's fields plus the path parameters, the authenticated actor and `at` = now make
the command; `expected_version` travels as a NATS header, never inside the command.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import msgspec

from api import screening
from api.bodies import Body, ConditionIn, DecisionBody
from api.broker import OPEN_WAIT, Broker
from api.deps import checked_id
from api.idempotency_context import CURRENT
from api.metrics import COMMANDS
from api.problems import CommandFailedError
from events import gates, production
from events.base import Actor, Addressed, Command
from events.criteria import GATE_OF_STAGE
from events.replies import (
    CORRELATION_ID,
    EXPECTED_VERSION,
    IDEMPOTENCY_KEY,
    REQUEST_DIGEST,
    Problem,
)

_ENCODE = msgspec.json.Encoder()
LIFECYCLE = ("ideation", "poc", "pilot", "mvp")
KPI_STAGES = ("pilot", "mvp")
STAGE_OF_GATE: dict[str, str] = {gate: stage for stage, gate in GATE_OF_STAGE.items()}


class Accepted(msgspec.Struct, kw_only=True, omit_defaults=True):
    """A command's effect: the initiative, its stage stream's new version and the global
    position to pass as `min_position` to read your own write."""

    id: str
    version: int
    position: int | None = None
    event_ids: list[str] = []
    record_id: str | None = None


def new_id(salt: str = "") -> str:
    """A record id; under an Idempotency-Key the same one on every retry, so a retry is the
    very same command and its reply names the record that was stored."""
    return _from_key(salt).hex[:12]


def new_initiative_id() -> str:
    return str(_from_key("initiative"))


def _from_key(salt: str) -> uuid.UUID:
    idempotent = CURRENT.get()
    if idempotent is None:
        return uuid.uuid4()
    name = f"tollgate:{idempotent.key}:{idempotent.digest}:{salt}"
    return uuid.uuid5(uuid.NAMESPACE_URL, name)


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
    command: Addressed,
    expected_version: int | None = None,
    record_id: str | None = None,
    *,
    open_wait: float = 0.0,
    approved: bool = False,
) -> Accepted:
    """Send one command; a refusal raises CommandFailedError (mapped to a problem response).
    `open_wait`: how long to wait for a stage whose opening is in flight. An agent's command
    is screened by its policy first (api.screening), unless it is a held one a person
    `approved`."""
    if screening.needs_screening(stage, command) and not approved:
        assert isinstance(command, Command)
        await screening.screen(broker, stage, command, new_id("screen"))  # held: 202; refused: 403
    name = str(type(command).__struct_config__.tag)
    headers = {CORRELATION_ID: str(uuid.uuid4())}
    if expected_version is not None:
        headers[EXPECTED_VERSION] = str(expected_version)
    idempotent = CURRENT.get()
    if idempotent is not None:
        headers[IDEMPOTENCY_KEY] = idempotent.key
        headers[REQUEST_DIGEST] = idempotent.digest
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
        id=reply.initiative_id or command.stream_id, version=reply.version,
        position=reply.position, event_ids=list(reply.event_ids), record_id=record_id,
    )  # fmt: skip


class Current(msgspec.Struct, frozen=True):
    """The stage that owns an initiative now and its status there, from the stage services
    themselves. `opening`: the previous gate passed and this stage's opening is in flight."""

    stage: str
    status: str
    re_review: bool = False

    @property
    def gate(self) -> str:
        """The gate a committee decides now: G1..G4, or re-review after launch."""
        return "re-review" if self.status == "launched" else GATE_OF_STAGE[self.stage]

    @property
    def open_wait(self) -> float:
        return OPEN_WAIT if self.status == "opening" else 0.0


async def whereabouts(broker: Broker, initiative_id: str) -> Current:
    """Ask the stage services in lifecycle order: the first whose gate has not let the
    initiative through owns it. No read model is involved, so commands are routed right
    even while the projection is down or behind."""
    for stage in LIFECYCLE:
        where = await broker.locate(stage, initiative_id)
        if where.status == "not_started":
            if stage == LIFECYCLE[0]:
                raise CommandFailedError(
                    Problem(code="not_found", detail=f"no initiative {initiative_id}")
                )
            return Current(stage, "opening")
        if where.status != "passed":
            return Current(stage, where.status, where.re_review)
    raise AssertionError("the MVP's gate leads to launched, never to passed")


async def record_at_current_stage(
    broker: Broker,
    actor: Actor,
    initiative_id: str,
    *,
    command_type: type[Command],
    body: Body,
    **fields: Any,
) -> Accepted:
    """A gate command (review, condition, resume) for whichever service owns the initiative
    now; it waits briefly for a stage whose opening is in flight."""
    current = await whereabouts(broker, checked_id(initiative_id))
    return await record(broker, actor, initiative_id, stage=current.stage,
                        command_type=command_type, body=body, open_wait=current.open_wait,
                        **fields)  # fmt: skip


async def kpi_stage(broker: Broker, initiative_id: str) -> tuple[str, float]:
    """Where a KPI measurement goes (pilot, or the MVP, also after launch), and how long
    to wait for that stage to open."""
    current = await whereabouts(broker, initiative_id)
    if current.stage not in KPI_STAGES:
        raise CommandFailedError(Problem(
            code="refused",
            detail="KPIs are measured from the pilot stage on; "
            f"this initiative is in {current.stage}",
        ))  # fmt: skip
    return current.stage, current.open_wait


def conditions(data: DecisionBody) -> tuple[gates.Condition, ...]:
    """Plain strings become conditions with made-up ids."""
    made = []
    for n, given in enumerate(data.conditions):
        item = given if isinstance(given, ConditionIn) else ConditionIn(text=given)
        condition_id = item.condition_id or new_id(f"condition-{n}")
        made.append(gates.Condition(condition_id=condition_id, text=item.text))
    return tuple(made)


async def cast_vote(
    broker: Broker, actor: Actor, initiative_id: str, data: DecisionBody
) -> Accepted:
    """One committee member's vote at the gate it names; the decision once the quorum agrees.
    A vote for a gate that is not the current one is a 409 naming the current one. For a
    launched initiative under re-review: go keeps it running, kill retires it.

    A named gate goes straight to its stage's service, which alone decides whether that gate
    is under review: so a retry of a vote that was stored (same Idempotency-Key) gets its
    first answer even after the initiative moved on."""
    initiative_id = checked_id(initiative_id)
    if data.gate is None or data.gate == "re-review":
        current = await whereabouts(broker, initiative_id)
        return await _vote(broker, actor, initiative_id, data, current.gate, current=current)
    try:
        return await _vote(broker, actor, initiative_id, data, data.gate)
    except CommandFailedError as refused:
        if refused.problem.code not in ("refused", "not_found"):
            raise
        current = await whereabouts(broker, initiative_id)
        if current.gate == data.gate and current.open_wait:  # its stage is opening now
            return await _vote(broker, actor, initiative_id, data, data.gate, current=current)
        if current.gate == data.gate:
            raise
        raise CommandFailedError(Problem(code="refused", detail=(
            f"{data.gate} is not the gate under decision: the current gate is {current.gate} "
            f"({current.stage}, {current.status.replace('_', ' ')})"
        ))) from None  # fmt: skip


async def _vote(
    broker: Broker, actor: Actor, initiative_id: str, data: DecisionBody, gate: str,
    *, current: Current | None = None,
) -> Accepted:  # fmt: skip
    if gate == "re-review":
        command = _re_review(actor, initiative_id, data)
        return await send(broker, "mvp", command, data.expected_version)
    vote = gates.DecideGate(
        initiative_id=initiative_id, at=datetime.now(UTC), actor=actor,
        vote_id=data.vote_id or new_id("vote"), decision=data.decision,
        rationale=data.rationale, conditions=conditions(data),
    )  # fmt: skip
    open_wait = current.open_wait if current else 0.0
    return await send(
        broker, STAGE_OF_GATE[gate], vote, data.expected_version, vote.vote_id,
        open_wait=open_wait,
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
