"""What the API and the pages read of the agents side view (004_agents.sql)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import msgspec

from infra.db import Pool
from services.projection.store import SCHEMA

A, ACT, SUS = f"{SCHEMA}.agents", f"{SCHEMA}.agent_actions", f"{SCHEMA}.agent_suspensions"
_ACTION_COLUMNS = ", ".join(
    f"a.{c}" for c in (
        "agent_id", "action_id", "action", "stage", "rule", "status", "screened_at",
        "approver_account", "approver_role", "deadline", "decided_by", "decided_at", "reason",
        "escalated", "escalated_to", "command",
    )
) + ", initiative_id, i.title"  # fmt: skip
_ACTIONS = f"{ACT} a LEFT JOIN {SCHEMA}.initiatives i USING (initiative_id)"


class AgentRow(msgspec.Struct, frozen=True, kw_only=True):
    agent_id: str
    status: str
    policy: dict[str, Any] | None = None
    policy_version: int = 0
    policy_set_by: str | None = None
    policy_set_at: datetime | None = None
    sponsor: str | None = None
    attested_at: datetime | None = None
    attested_until: datetime | None = None
    suspended_reason: str | None = None
    suspended_at: datetime | None = None
    updated_at: datetime


class Action(msgspec.Struct, frozen=True, kw_only=True):
    """One screened action of an agent; `approval_id` names a held one for approving."""

    agent_id: str
    action_id: str
    approval_id: str
    action: str
    initiative_id: str
    stage: str | None = None
    rule: str
    status: str  # allowed, held, approved, rejected, refused
    screened_at: datetime
    approver_account: str | None = None
    approver_role: str | None = None
    deadline: datetime | None = None
    decided_by: str | None = None
    decided_at: datetime | None = None
    reason: str | None = None
    escalated: bool = False
    escalated_to: str | None = None
    command: str | None = None  # a held one's stage command, JSON: what the approver decides
    title: str | None = None  # the initiative's


class Quality(msgspec.Struct, frozen=True, kw_only=True):
    """An approver's record: approval rate and median time to decide, in hours."""

    approver: str
    decided: int
    approved: int
    rejected: int
    approval_rate: float
    median_hours: float


class Suspension(msgspec.Struct, frozen=True, kw_only=True):
    suspension_id: str
    agent_id: str
    at: datetime
    reason: str
    suspended_by: str
    initiatives: list[str]
    reinstated_at: datetime | None = None
    reinstated_by: str | None = None


def _action(row: Any) -> Action:
    values = dict(row)
    values["approval_id"] = f"{values['agent_id']}~{values['action_id']}"
    return msgspec.convert(values, Action)


def _agent(row: Any) -> AgentRow:
    values = dict(row)
    if isinstance(values["policy"], bytes | str):  # jsonb as the pool's codec hands it over
        values["policy"] = msgspec.json.decode(values["policy"])
    return msgspec.convert(values, AgentRow)


async def agents(pool: Pool) -> list[AgentRow]:
    rows = await pool.fetch(f"SELECT * FROM {A} ORDER BY agent_id")
    return [_agent(r) for r in rows]


async def agent(pool: Pool, agent_id: str) -> AgentRow | None:
    row = await pool.fetchrow(f"SELECT * FROM {A} WHERE agent_id = $1", agent_id)
    return _agent(row) if row else None


async def actions(pool: Pool, agent_id: str, limit: int = 200) -> list[Action]:
    """The agent's actions, newest first."""
    rows = await pool.fetch(
        f"SELECT {_ACTION_COLUMNS} FROM {_ACTIONS} WHERE a.agent_id = $1"
        " ORDER BY a.screened_at DESC, a.action_id LIMIT $2",
        agent_id,
        limit,
    )
    return [_action(r) for r in rows]


async def action(pool: Pool, agent_id: str, action_id: str) -> Action | None:
    row = await pool.fetchrow(
        f"SELECT {_ACTION_COLUMNS} FROM {_ACTIONS} WHERE a.agent_id = $1 AND a.action_id = $2",
        agent_id,
        action_id,
    )
    return _action(row) if row else None


async def waiting_for(pool: Pool, account: str, role: str, limit: int = 200) -> list[Action]:
    """Held actions the user may decide (named, or holding the role: an owner on their own
    initiatives, admins every role; a draft named for someone else waits for that person
    only), oldest first."""
    rows = await pool.fetch(
        f"SELECT {_ACTION_COLUMNS} FROM {_ACTIONS} WHERE a.status = 'held' AND a.agent_id <> $1"
        " AND (a.approver_account = $1 OR ($2 = 'admin' AND a.approver_role IS NOT NULL)"
        " OR (a.approver_role = $2 AND ($2 <> 'owner' OR a.initiative_id IN (SELECT i.initiative_id"
        f" FROM {SCHEMA}.initiatives i WHERE i.summary->>'owner_account' = $1 OR i.summary->'team'"
        " @> jsonb_build_array(jsonb_build_object('account', $1::text))))))"
        " ORDER BY a.screened_at, a.action_id LIMIT $3",
        account,
        role,
        limit,
    )
    return [_action(r) for r in rows]


async def for_initiative(pool: Pool, initiative_id: str, limit: int = 20) -> list[Action]:
    """Agents' held, decided and refused actions on one initiative, newest first."""
    rows = await pool.fetch(
        f"SELECT {_ACTION_COLUMNS} FROM {_ACTIONS} WHERE initiative_id = $1"
        " AND a.status <> 'allowed' ORDER BY a.screened_at DESC LIMIT $2",
        initiative_id,
        limit,
    )
    return [_action(r) for r in rows]


async def escalated_to(pool: Pool, account: str, role: str, limit: int = 50) -> list[Action]:
    """Refusals escalated to the user (the agent's sponsor; the admins for an agent with
    none), newest first."""
    rows = await pool.fetch(
        f"SELECT {_ACTION_COLUMNS} FROM {_ACTIONS} WHERE a.escalated AND (a.escalated_to = $1"
        " OR (a.escalated_to IS NULL AND $2 = 'admin')) ORDER BY a.screened_at DESC LIMIT $3",
        account,
        role,
        limit,
    )
    return [_action(r) for r in rows]


async def quality(pool: Pool, agent_id: str | None = None) -> list[Quality]:
    """Per approver, of every agent's drafts (or one agent's)."""
    rows = await pool.fetch(
        f"SELECT decided_by AS approver, count(*) AS decided,"
        " count(*) FILTER (WHERE status = 'approved') AS approved,"
        " count(*) FILTER (WHERE status = 'rejected') AS rejected,"
        " percentile_cont(0.5) WITHIN GROUP (ORDER BY"
        " extract(epoch FROM decided_at - screened_at) / 3600) AS median_hours"
        f" FROM {ACT} WHERE status IN ('approved', 'rejected') AND decided_by IS NOT NULL"
        " AND ($1::text IS NULL OR agent_id = $1) GROUP BY decided_by ORDER BY decided_by",
        agent_id,
    )
    return [
        Quality(approver=r["approver"], decided=r["decided"], approved=r["approved"],
                rejected=r["rejected"], approval_rate=round(r["approved"] / r["decided"], 3),
                median_hours=round(float(r["median_hours"] or 0), 2))
        for r in rows
    ]  # fmt: skip


async def suspensions(
    pool: Pool, *, initiative_id: str | None = None, agent_id: str | None = None,
    open_only: bool = False,
) -> list[Suspension]:  # fmt: skip
    """Suspensions, newest first: of an agent, touching an initiative, or still open (the
    committee's re-entry reviews)."""
    rows = await pool.fetch(
        f"SELECT * FROM {SUS} WHERE ($1::text IS NULL OR initiatives @> ARRAY[$1::text])"
        " AND ($2::text IS NULL OR agent_id = $2) AND (NOT $3 OR reinstated_at IS NULL)"
        " ORDER BY at DESC LIMIT 200",
        initiative_id,
        agent_id,
        open_only,
    )
    return [msgspec.convert(dict(r), Suspension) for r in rows]


async def accountable_for(pool: Pool, initiative_ids: list[str], user: str) -> list[str]:
    """Of these initiatives, those the user answers for: the oversight design's accountable
    person (a name, matched ignoring case) or the owner's account."""
    rows = await pool.fetch(
        f"SELECT initiative_id FROM {SCHEMA}.initiatives WHERE initiative_id = ANY($1) AND"
        " (lower(doc->'facts'->>'accountable') = lower($2) OR summary->>'owner_account' = $2)",
        initiative_ids,
        user,
    )
    return [str(r["initiative_id"]) for r in rows]


async def member_of(pool: Pool, user: str, limit: int = 1000) -> list[str]:
    """The initiatives the user's account owns or is on the team of."""
    rows = await pool.fetch(
        f"SELECT initiative_id FROM {SCHEMA}.initiatives WHERE summary->>'owner_account' = $1"
        " OR summary->'team' @> jsonb_build_array(jsonb_build_object('account', $1::text))"
        " ORDER BY initiative_id LIMIT $2",
        user,
        limit,
    )
    return [str(r["initiative_id"]) for r in rows]


async def worked_on(pool: Pool, agent_id: str) -> list[str]:
    rows = await pool.fetch(
        f"SELECT DISTINCT initiative_id FROM {ACT} WHERE agent_id = $1"
        " AND status IN ('allowed', 'held', 'approved')",
        agent_id,
    )
    return [str(r["initiative_id"]) for r in rows]
