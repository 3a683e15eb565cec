"""An agent's stage command, screened by the agents service before it is sent
(PRODUCT.md section 9): allowed, it goes on as any command; held as a draft for its
approver, the request is answered 202 and nothing reaches the stage; refused, a 403 naming
the policy's rule (recorded and escalated to the agent's supervisor by the agents service).
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import msgspec
from litestar import Request, Response
from litestar.openapi.spec import OpenAPIMediaType, OpenAPIResponse, OpenAPIType, Schema

from api.broker import Broker
from api.idempotency_context import CURRENT
from api.problems import CommandFailedError
from events import agents
from events.base import STAGES, Actor, Addressed, Command
from events.replies import (
    CORRELATION_ID,
    EXPECTED_VERSION,
    IDEMPOTENCY_KEY,
    REQUEST_DIGEST,
    CommandReply,
    Problem,
)

SERVICE = "agents"
_ENCODE = msgspec.json.Encoder()
_BODY_LIMIT = 16000


class HeldForApproval(Exception):
    """The agent's command waits for its approver: answered 202, never applied yet."""

    def __init__(self, held: agents.ActionHeld, position: int | None) -> None:
        super().__init__(f"held for {held.approver.label()}")
        self.held = held
        self.position = position


class Held(msgspec.Struct, frozen=True, kw_only=True):
    """A held agent command: what the 202 answers."""

    approval_id: str
    status: str
    approver: str
    deadline: datetime
    rule: str
    position: int | None = None  # of the held event: `min_position` for GET /approvals


_TEXT = Schema(type=OpenAPIType.STRING)
HELD = OpenAPIResponse(
    description="An AI agent's command its policy holds as a draft: nothing reached the stage;"
    " it waits for `approver` until `deadline` (POST /approvals/{approval_id}/approve)",
    content={"application/json": OpenAPIMediaType(schema=Schema(
        type=OpenAPIType.OBJECT, required=["approval_id", "status", "approver", "deadline"],
        properties={"approval_id": _TEXT, "status": _TEXT, "approver": _TEXT,
                    "deadline": Schema(type=OpenAPIType.STRING, format="date-time"),  # type: ignore[arg-type]
                    "rule": _TEXT, "position": Schema(type=OpenAPIType.INTEGER)},
    ))},
)  # fmt: skip


def approval_id(agent_id: str, action_id: str) -> str:
    """An approval names its agent's stream: `{agent}~{action}` (an action id has no ~)."""
    return f"{agent_id}~{action_id}"


def on_held(_: Request[Any, Any, Any], exc: HeldForApproval) -> Response[Held]:
    h = exc.held
    body = Held(approval_id=approval_id(h.agent_id, h.action_id), status="held",
                approver=h.approver.label(), deadline=h.deadline, rule=h.rule,
                position=exc.position)  # fmt: skip
    return Response(body, status_code=202)


def needs_screening(stage: str, command: Addressed) -> bool:
    return command.actor.kind == "agent" and stage in STAGES and isinstance(command, Command)


async def screen(broker: Broker, stage: str, command: Command, action_id: str) -> None:
    """Return when the agent's policy lets the command through; raise otherwise."""
    action = str(type(command).__struct_config__.tag)
    kpi_id = getattr(command, "kpi_id", None) if action == "record-measurement" else None
    where = await broker.locate(stage, command.initiative_id, kpi_id)
    body = _ENCODE.encode(command).decode()
    if len(body) > _BODY_LIMIT:
        raise CommandFailedError(Problem(code="invalid", detail="the command is too large"))
    check = msgspec.convert(
        {"agent_id": command.actor.id, "at": command.at, "actor": command.actor,
         "action_id": action_id, "action": action, "initiative_id": command.initiative_id,
         "stage": stage, "risk_class": where.risk_class, "body": body,
         "last_value": where.last_value},
        agents.Screen, from_attributes=True,
    )  # fmt: skip
    reply = await send(broker, check)
    decided = agents.EVENT_DECODER.decode(reply.events[0]) if reply.events else None
    if isinstance(decided, agents.ActionHeld):
        raise HeldForApproval(decided, reply.position)
    if isinstance(decided, agents.ActionRefused):
        raise CommandFailedError(Problem(code="forbidden", detail=refusal(decided)))


async def refuse_never(broker: Broker, actor: Actor, action: agents.ActionKind, iid: str) -> None:
    """Record what an agent may never do (a vote) as refused and escalated."""
    check = agents.Screen(agent_id=actor.id, at=datetime.now(UTC), actor=actor,
                          action_id=uuid.uuid4().hex[:12], action=action,
                          initiative_id=iid)  # fmt: skip
    await outcome(broker, check)


async def outcome(broker: Broker, command: agents.AgentCommand) -> agents.AnyAgentEvent | None:
    """Send an agents command; the first event it recorded (None: it changed nothing)."""
    reply = await send(broker, command)
    return agents.EVENT_DECODER.decode(reply.events[0]) if reply.events else None


async def send(
    broker: Broker, command: agents.AgentCommand, key: tuple[str, str] | None = None,
    expected_version: int | None = None,
) -> CommandReply:  # fmt: skip
    """One command to the agents service; `key`: the idempotency key and digest to send
    (else the request's own); `expected_version` of the agent's stream (a stale one: 409).
    A refusal raises CommandFailedError."""
    name = str(type(command).__struct_config__.tag)
    headers = {CORRELATION_ID: str(uuid.uuid4())}
    if expected_version is not None:
        headers[EXPECTED_VERSION] = str(expected_version)
    current = CURRENT.get()
    if key is None and current is not None:
        key = (current.key, current.digest)
    if key is not None:
        headers[IDEMPOTENCY_KEY], headers[REQUEST_DIGEST] = key
    reply = await broker.send(SERVICE, name, _ENCODE.encode(command), headers)
    if not reply.ok:
        raise CommandFailedError(reply.error or Problem(code="refused", detail="refused"))
    return reply


def refusal(refused: agents.ActionRefused) -> str:
    return f"{refused.reason}; recorded and escalated to the agent's supervisor"
