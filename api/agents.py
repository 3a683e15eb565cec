"""What the agents and approvals endpoints do (PRODUCT.md section 9): commands to the
agents service, the users table kept in step with a suspension, and an approved draft sent
on to its stage exactly once."""

from __future__ import annotations

from datetime import UTC, datetime

import msgspec
from litestar.exceptions import NotFoundException

from api import screening
from api.deps import Deps, checked_id
from api.dispatch import Accepted, send
from api.idempotency_context import CURRENT, IdempotentRequest
from api.problems import CommandFailedError
from api.users import User, account, update_user
from events import agents, ideation, mvp, pilot, poc
from events.base import Actor
from events.gates import Note
from events.replies import Problem
from services.projection import agents_queries

STAGE_COMMANDS: dict[str, msgspec.json.Decoder[object]] = {
    "ideation": ideation.COMMAND_DECODER, "poc": poc.COMMAND_DECODER,
    "pilot": pilot.COMMAND_DECODER, "mvp": mvp.COMMAND_DECODER,
    "production": mvp.COMMAND_DECODER,
}  # fmt: skip


class Decided(msgspec.Struct, frozen=True, kw_only=True):
    """An approval's outcome; once approved, the stage's reply to the command it let through
    (`version` of the initiative's stage stream and `position` to read your own write)."""

    approval_id: str
    status: str
    by: str
    initiative_id: str
    version: int | None = None
    position: int | None = None


def _now() -> datetime:
    return datetime.now(UTC)


async def agent_account(deps: Deps, agent_id: str) -> str:
    """The agent's name, when it is an agent's account; 404 otherwise."""
    found = await account(deps.pool, checked_id(agent_id, "agent"))
    if found is None or found.kind != "agent":
        raise NotFoundException(f"no agent named {agent_id!r}")
    return found.name


async def command(
    deps: Deps, cmd: agents.AgentCommand, expected_version: int | None = None
) -> Accepted:
    reply = await screening.send(deps.broker, cmd, expected_version=expected_version)
    return Accepted(id=cmd.agent_id, version=reply.version, position=reply.position,
                    event_ids=list(reply.event_ids))  # fmt: skip


async def check_approvers(deps: Deps, policy: agents.Policy) -> None:
    """A named approver is a person's account (never an agent, not the agent itself): a
    draft waiting for anyone else could only be refused at its deadline."""
    named = [policy.approver, *(r.approver for r in policy.rules)]
    for name in dict.fromkeys(a.account for a in named if a is not None and a.account):
        found = await account(deps.pool, name)
        if found is None or found.kind != "person":
            raise CommandFailedError(Problem(code="invalid", detail=(
                f"the approver {name!r} is not a person's account: name a person (or a role)"
            )))  # fmt: skip


async def set_sponsor(
    deps: Deps, actor: Actor, agent_id: str, sponsor: str, expected_version: int | None = None
) -> Accepted:
    person = await account(deps.pool, checked_id(sponsor, "user"))
    if person is None or person.kind != "person" or not person.active:
        raise CommandFailedError(Problem(code="invalid", detail=(
            f"the sponsor must be an active person's account; {sponsor!r} is not one"
        )))  # fmt: skip
    cmd = agents.AssignSponsor(agent_id=agent_id, at=_now(), actor=actor, sponsor=sponsor)
    return await command(deps, cmd, expected_version)


async def suspend(
    deps: Deps, user: User, agent_id: str, reason: str, expected_version: int | None = None
) -> Accepted:
    """The kill switch: recorded by the agents service (which checks who may), then the
    agent's account is deactivated in this request, so its tokens fail at their next use."""
    worked = await agents_queries.worked_on(deps.reads, agent_id)
    mine = await agents_queries.accountable_for(deps.reads, worked, user.name)
    cmd = agents.Suspend(agent_id=agent_id, at=_now(), actor=user.actor, reason=reason,
                         accountable_for=tuple(mine))  # fmt: skip
    accepted = await command(deps, cmd, expected_version)
    await update_user(deps.pool, agent_id, active=False)
    return accepted


async def reinstate(
    deps: Deps, actor: Actor, agent_id: str, reason: Note, expected_version: int | None = None
) -> Accepted:
    cmd = agents.Reinstate(agent_id=agent_id, at=_now(), actor=actor, reason=reason)
    accepted = await command(deps, cmd, expected_version)
    await update_user(deps.pool, agent_id, active=True)
    return accepted


async def _member_of(deps: Deps, actor: Actor) -> tuple[str, ...]:
    """An owner's initiatives: a draft for the owner role is theirs to decide only there."""
    if "owner" not in actor.roles:
        return ()
    return tuple(await agents_queries.member_of(deps.reads, actor.id))


def parse_approval(approval_id: str) -> tuple[str, str]:
    agent_id, _, action_id = approval_id.rpartition("~")
    checked_id(agent_id or "~", "approval")
    checked_id(action_id or "~", "approval")
    return agent_id, action_id


async def approve(deps: Deps, actor: Actor, approval_id: str) -> Decided:
    """ActionApproved first, then the stored command to its stage with the agent as actor.
    Both carry a key derived from the approval id (the approval's also from the approver,
    so that anyone else asking is decided afresh, and refused unless they could approve): a
    retry replays the approval and the stage answers the first reply, so the command is
    applied once."""
    agent_id, action_id = parse_approval(approval_id)
    cmd = agents.Approve(agent_id=agent_id, at=_now(), actor=actor, action_id=action_id,
                         member_of=await _member_of(deps, actor))  # fmt: skip
    key = (f"approval:{approval_id}:{actor.id}", "approve")
    reply = await screening.send(deps.broker, cmd, key)
    decided = [agents.EVENT_DECODER.decode(e) for e in reply.events]
    approved = next((e for e in decided if isinstance(e, agents.ActionApproved)), None)
    if approved is None:  # approved before by another approver: answer as they were
        approved = await _approved_before(deps, agent_id, action_id, approval_id)
    try:
        stage_command = STAGE_COMMANDS[approved.stage].decode(approved.command)
    except msgspec.DecodeError as exc:  # recorded by an older Tollgate, or by hand
        raise CommandFailedError(Problem(code="invalid", detail=(
            f"the approved command of {approval_id} cannot be read as a {approved.stage}"
            f" command ({exc}); nothing was sent to the stage"
        ))) from None  # fmt: skip
    token = CURRENT.set(IdempotentRequest(f"approval:{approval_id}", "approval"))
    try:
        applied = await send(deps.broker, approved.stage, stage_command, approved=True)  # type: ignore[arg-type]
    finally:
        CURRENT.reset(token)
    return Decided(approval_id=approval_id, status="approved", by=approved.approved_by,
                   initiative_id=approved.initiative_id, version=applied.version,
                   position=applied.position)  # fmt: skip


async def _approved_before(
    deps: Deps, agent_id: str, action_id: str, approval_id: str
) -> agents.ActionApproved:
    """The approval another approver recorded (the caller could have approved it too), from
    the read model: its command is sent again with the approval's key, so the stage answers
    its first reply, or applies it now if the first approver's request never got there."""
    row = await agents_queries.action(deps.reads, agent_id, action_id)
    if row is None or row.status != "approved" or not row.command or row.stage is None:
        raise CommandFailedError(Problem(code="refused", detail=f"{approval_id} was decided"))
    return agents.ActionApproved(
        agent_id=agent_id, at=row.decided_at or row.screened_at, action_id=action_id,
        initiative_id=row.initiative_id, stage=row.stage,  # type: ignore[arg-type]
        approved_by=row.decided_by or "", held_at=row.screened_at, command=row.command,
    )  # fmt: skip


async def reject(
    deps: Deps, actor: Actor, approval_id: str, reason: Note, expected_version: int | None = None
) -> Decided:
    agent_id, action_id = parse_approval(approval_id)
    cmd = agents.Reject(agent_id=agent_id, at=_now(), actor=actor, action_id=action_id,
                        reason=reason, member_of=await _member_of(deps, actor))  # fmt: skip
    reply = await screening.send(deps.broker, cmd, expected_version=expected_version)
    decided = [agents.EVENT_DECODER.decode(e) for e in reply.events]
    rejected = next((e for e in decided if isinstance(e, agents.ActionRejected)), None)
    if rejected is None:
        raise CommandFailedError(Problem(code="refused", detail=(
            f"{approval_id} was approved already: it cannot be rejected now"
        )))  # fmt: skip
    return Decided(approval_id=approval_id, status="rejected", by=actor.id,
                   initiative_id=rejected.initiative_id, position=reply.position)  # fmt: skip
