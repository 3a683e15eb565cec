"""What the API and the pages show of agents: the list and an agent's whole page, from the
projection's agents side view and the users table."""

from __future__ import annotations

from datetime import datetime

import msgspec

from api import agents as ops
from api.deps import Deps
from api.users import list_users
from services.projection import agents_history
from services.projection import agents_queries as q
from services.projection.agents_history import Entry


class AgentSummary(msgspec.Struct, frozen=True, kw_only=True):
    agent_id: str
    role: str
    active: bool  # whether its tokens work
    status: str  # active or suspended
    policy_version: int = 0
    sponsor: str | None = None
    attested_until: datetime | None = None


class AgentDetail(msgspec.Struct, frozen=True, kw_only=True):
    """An agent's page: policy with version, sponsor and attestation, status, what it did,
    what was refused, what waits for approval, and its suspensions."""

    agent_id: str
    active: bool
    agent: q.AgentRow | None
    done: list[q.Action]
    refused: list[q.Action]
    waiting: list[q.Action]
    rejected: list[q.Action]
    suspensions: list[q.Suspension]
    history: list[Entry]  # its own events in words, newest first


async def detail(deps: Deps, agent_id: str) -> AgentDetail:
    name = await ops.agent_account(deps, agent_id)
    found = {a.name: a for a in await list_users(deps.pool)}[name]
    acts = await q.actions(deps.reads, name)
    by = {s: [a for a in acts if a.status in ss] for s, ss in
          (("done", ("allowed", "approved")), ("refused", ("refused",)), ("waiting", ("held",)),
           ("rejected", ("rejected",)))}  # fmt: skip
    row, suspended = await q.agent(deps.reads, name), await q.suspensions(deps.reads, agent_id=name)
    history = await agents_history.history(deps.reads, name)
    return AgentDetail(agent_id=name, active=found.active, agent=row, suspensions=suspended,
                       history=history, **by)  # fmt: skip


async def summaries(deps: Deps) -> list[AgentSummary]:
    """Every agent account, with what the side view knows of it (nothing yet: active)."""
    rows = {r.agent_id: r for r in await q.agents(deps.reads)}
    found = []
    for u in await list_users(deps.pool):
        if u.kind != "agent":
            continue
        r = rows.get(u.name)
        found.append(AgentSummary(
            agent_id=u.name, role=u.role, active=u.active, status=r.status if r else "active",
            policy_version=r.policy_version if r else 0, sponsor=r.sponsor if r else None,
            attested_until=r.attested_until if r else None,
        ))  # fmt: skip
    return found
