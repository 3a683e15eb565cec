"""The agents side view (infra/sql/projection/004_agents.sql): agents, their screened
actions and suspensions, and each held draft as an inbox item of kind `draft` for its
approver (an inbox row keyed by the agent's stream, so an initiative's rows never touch it).

Every write is an upsert or an update to a value the event names, so applying an event
twice changes nothing.
"""

from __future__ import annotations

from datetime import datetime

import msgspec

from events import agents as a
from events.envelope import CloudEvent
from infra.db import Connection
from services.projection.views.inbox import InboxItem

_ENCODE = msgspec.json.Encoder()


async def apply(conn: Connection, ce: CloudEvent, _sequence: int, schema: str) -> None:
    try:
        event = a.EVENT_DECODER.decode(ce.data)
    except msgspec.ValidationError:  # an agents event of a later version: skip it
        return
    await _touch(conn, schema, event.agent_id, event.at)
    match event:
        case a.PolicySet():
            await conn.execute(
                f"UPDATE {schema}.agents SET policy = $2, policy_version = $3,"
                " policy_set_by = $4, policy_set_at = $5, attestation_days = $6"
                " WHERE agent_id = $1",
                event.agent_id, msgspec.to_builtins(event.policy), event.version,
                event.set_by, event.at, event.policy.attestation_days,
            )  # fmt: skip
        case a.ActionAllowed() | a.ActionHeld() | a.ActionRefused():
            await _screened(conn, schema, event)
        case a.ActionEscalated():
            await conn.execute(
                f"UPDATE {schema}.agent_actions SET escalated = true, escalated_to = $3"
                " WHERE agent_id = $1 AND action_id = $2",
                event.agent_id, event.action_id, event.to,
            )  # fmt: skip
        case a.ActionApproved() | a.ActionRejected():
            await _decided(conn, schema, event)
        case _:
            await _custody(conn, schema, ce, event)


async def _touch(conn: Connection, schema: str, agent_id: str, at: datetime) -> None:
    await conn.execute(
        f"INSERT INTO {schema}.agents (agent_id, updated_at) VALUES ($1, $2)"
        f" ON CONFLICT (agent_id) DO UPDATE SET updated_at = GREATEST("
        f"{schema}.agents.updated_at, EXCLUDED.updated_at)",
        agent_id,
        at,
    )


async def _screened(
    conn: Connection, schema: str, e: a.ActionAllowed | a.ActionHeld | a.ActionRefused
) -> None:
    status = {a.ActionAllowed: "allowed", a.ActionHeld: "held"}.get(type(e), "refused")
    held = e if isinstance(e, a.ActionHeld) else None
    reason = e.reason if isinstance(e, a.ActionRefused) else None
    await conn.execute(
        f"INSERT INTO {schema}.agent_actions (agent_id, action_id, action, initiative_id,"
        " stage, rule, status, screened_at, approver_account, approver_role, deadline,"
        " command, reason) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)"
        " ON CONFLICT (agent_id, action_id) DO UPDATE SET status = EXCLUDED.status,"
        " reason = EXCLUDED.reason, decided_at = CASE WHEN EXCLUDED.status = 'refused'"
        f" THEN EXCLUDED.screened_at ELSE {schema}.agent_actions.decided_at END",
        e.agent_id, e.action_id, e.action, e.initiative_id, e.stage, e.rule, status, e.at,
        held.approver.account if held else None, held.approver.role if held else None,
        held.deadline if held else None, held.command if held else None, reason,
    )  # fmt: skip
    if held is not None:
        await _draft_in_inbox(conn, schema, held)
    else:
        await _draft_done(conn, schema, e.agent_id, e.action_id)


async def _decided(conn: Connection, schema: str, e: a.ActionApproved | a.ActionRejected) -> None:
    approved = isinstance(e, a.ActionApproved)
    await conn.execute(
        f"UPDATE {schema}.agent_actions SET status = $3, decided_by = $4, decided_at = $5,"
        " reason = $6 WHERE agent_id = $1 AND action_id = $2",
        e.agent_id, e.action_id, "approved" if approved else "rejected",
        e.approved_by if isinstance(e, a.ActionApproved) else e.rejected_by, e.at,
        None if isinstance(e, a.ActionApproved) else e.reason or None,
    )  # fmt: skip
    await _draft_done(conn, schema, e.agent_id, e.action_id)


async def _draft_in_inbox(conn: Connection, schema: str, held: a.ActionHeld) -> None:
    approval = f"{held.agent_id}~{held.action_id}"
    item = InboxItem(
        initiative_id=held.initiative_id, key=f"draft-{approval}", kind="draft",
        title=f"{held.action.replace('-', ' ').capitalize()} by {held.agent_id}",
        text=f"{held.agent_id}'s draft waits for your approval ({held.rule})"[:300],
        since=held.at, link=f"/approvals#approval-{approval}", due_at=held.deadline,
        by=(held.agent_id,),
    )  # fmt: skip
    await conn.execute(
        f"INSERT INTO {schema}.inbox (initiative_id, key, kind, since, accounts, roles, names,"
        " done_by, item) VALUES ($1, $2, 'draft', $3, $4, $5, '{}', '{}', $6)"
        " ON CONFLICT (initiative_id, key) DO NOTHING",
        held.agent_id, item.key, held.at,
        [held.approver.account] if held.approver.account else [],
        [held.approver.role] if held.approver.role else [],
        msgspec.to_builtins(item),
    )  # fmt: skip


async def _draft_done(conn: Connection, schema: str, agent_id: str, action_id: str) -> None:
    await conn.execute(
        f"DELETE FROM {schema}.inbox WHERE initiative_id = $1 AND key = $2",
        agent_id,
        f"draft-{agent_id}~{action_id}",
    )


async def _custody(conn: Connection, schema: str, ce: CloudEvent, e: a.AnyAgentEvent) -> None:
    """Sponsor, attestation, suspension and reinstatement."""
    match e:
        case a.SponsorAssigned():
            sql = ("sponsor = $2, attested_until = COALESCE(attested_until,"
                   " $3::timestamptz + make_interval(days => attestation_days))")  # fmt: skip
            await conn.execute(f"UPDATE {schema}.agents SET {sql} WHERE agent_id = $1",
                               e.agent_id, e.sponsor, e.at)  # fmt: skip
        case a.AgentAttested():
            await conn.execute(
                f"UPDATE {schema}.agents SET attested_at = $2, attested_until = $3"
                " WHERE agent_id = $1", e.agent_id, e.at, e.valid_until,
            )  # fmt: skip
        case a.AgentSuspended():
            await conn.execute(
                f"UPDATE {schema}.agents SET status = 'suspended', suspended_reason = $2,"
                " suspended_at = $3 WHERE agent_id = $1", e.agent_id, e.reason, e.at,
            )  # fmt: skip
            await conn.execute(
                f"INSERT INTO {schema}.agent_suspensions (suspension_id, agent_id, at, reason,"
                " suspended_by, initiatives) VALUES ($1, $2, $3, $4, $5, $6)"
                " ON CONFLICT (suspension_id) DO NOTHING",
                ce.id, e.agent_id, e.at, e.reason, e.suspended_by, list(e.initiatives),
            )  # fmt: skip
        case a.AgentReinstated():
            await conn.execute(
                f"UPDATE {schema}.agents SET status = 'active', suspended_reason = NULL,"
                " suspended_at = NULL WHERE agent_id = $1", e.agent_id,
            )  # fmt: skip
            await conn.execute(
                f"UPDATE {schema}.agent_suspensions SET reinstated_at = $2, reinstated_by = $3"
                " WHERE agent_id = $1 AND reinstated_at IS NULL", e.agent_id, e.at,
                e.reinstated_by,
            )  # fmt: skip
        case _:
            raise AssertionError(f"unhandled agents event {type(e).__name__}")
