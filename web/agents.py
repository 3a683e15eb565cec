"""The agents' pages (PRODUCT.md section 9): the list, an agent's page (policy, sponsor,
attestation, what it did, what was refused, what waits, approval quality, the kill switch),
and /approvals, where a person approves or rejects the drafts waiting for them."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import msgspec
from litestar import Controller, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.plugins.htmx import HTMXRequest
from litestar.response import Template

from api import agents as ops
from api.agent_views import detail
from api.auth import current_user
from api.deps import Deps
from api.problems import CommandFailedError
from api.users import list_users
from events.replies import Problem
from services.projection import agents_queries as q
from web.pages import PAGE_ERRORS, may, page, read_own_write, signed_in

PEOPLE_ONLY = "only a person approves or rejects an agent's work"


SKIPPED = ("command", "at", "actor", "initiative_id", "expected_version")


def words(action: str) -> str:
    return action.replace("-", " ").capitalize()


def draft_fields(command: str | None) -> list[tuple[str, str]]:
    """What a held command says, field by field, as the approver reads it."""
    try:
        values = msgspec.json.decode(command or "{}")
    except msgspec.DecodeError:
        return []
    if not isinstance(values, dict):
        return []
    shown = []
    for key, value in values.items():
        if key in SKIPPED or value in (None, "", []):
            continue
        text = ", ".join(map(str, value)) if isinstance(value, list) else str(value)
        shown.append((key.replace("_", " ").capitalize(), text[:300]))
    return shown


def duration(hours: float) -> str:
    if hours < 1:
        return f"{round(hours * 60)} min"
    return f"{hours:.1f} h" if hours < 48 else f"{hours / 24:.1f} days"


async def approvals(
    request: HTMXRequest, deps: Deps, *, flash: tuple[str, str] | None = None,
    position: int | None = None, status_code: int = 200,
) -> Template:  # fmt: skip
    await read_own_write(deps, position)
    user = current_user(request)
    waiting = await q.waiting_for(deps.reads, user.name, user.role)
    escalated = await q.escalated_to(deps.reads, user.name, user.role, limit=20)
    template = "partials/approvals.html" if request.htmx else "approvals.html"
    return page(template, request, status_code, waiting=waiting, flash=flash, words=words,
                escalated=escalated,
                quality=await q.quality(deps.reads), now=datetime.now(UTC),
                draft_fields=draft_fields, duration=duration)  # fmt: skip


class AgentPages(Controller):
    path = "/"
    guards = [signed_in]
    exception_handlers = PAGE_ERRORS
    include_in_schema = False

    @get("/agents", name="agents")
    async def list_agents(self, request: HTMXRequest, deps: NamedDependency[Deps]) -> Template:
        """Every agent with its status, policy version, sponsor and attestation."""
        rows = {r.agent_id: r for r in await q.agents(deps.reads)}
        accounts = [u for u in await list_users(deps.pool) if u.kind == "agent"]
        return page("agents.html", request, accounts=accounts, rows=rows, now=datetime.now(UTC))

    @get("/agents/{agent_id:str}", name="agent")
    async def agent(
        self, request: HTMXRequest, deps: NamedDependency[Deps], agent_id: FromPath[str]
    ) -> Template:
        """One agent's page."""
        return await self._agent(request, deps, agent_id)

    async def _agent(
        self, request: HTMXRequest, deps: Deps, agent_id: str, *,
        flash: tuple[str, str] | None = None, position: int | None = None,
    ) -> Template:  # fmt: skip
        await read_own_write(deps, position)
        shown = await detail(deps, agent_id)
        user = current_user(request)
        return page("agent.html", request, a=shown, words=words, duration=duration,
                    quality=await q.quality(deps.reads, shown.agent_id), flash=flash,
                    now=datetime.now(UTC),
                    may_suspend=may(user, ("admin",)),
                    may_reinstate=may(user, ("committee", "admin")))  # fmt: skip

    @post("/agents/{agent_id:str}/suspend", name="agent_suspend", status_code=200)
    async def suspend(
        self, request: HTMXRequest, deps: NamedDependency[Deps], agent_id: FromPath[str]
    ) -> Template:
        """The kill switch, from the agent's page."""
        form: Any = await request.form()
        reason = str(form.get("reason", "")).strip()[:200] or "Suspended from its page"
        name = await ops.agent_account(deps, agent_id)
        try:
            done = await ops.suspend(deps, current_user(request), name, reason)
        except CommandFailedError as exc:
            return await self._agent(request, deps, name, flash=("error", exc.problem.detail))
        flash = ("success", f"{name} is suspended: its tokens no longer work.")
        return await self._agent(request, deps, name, flash=flash, position=done.position)

    @post("/agents/{agent_id:str}/reinstate", name="agent_reinstate", status_code=200)
    async def reinstate(
        self, request: HTMXRequest, deps: NamedDependency[Deps], agent_id: FromPath[str]
    ) -> Template:
        """Re-entry approved: the agent works again."""
        name = await ops.agent_account(deps, agent_id)
        user = current_user(request)
        if not may(user, ("committee", "admin")) or user.kind != "person":
            refused = ("error", "an admin or the committee reinstates a suspended agent")
            return await self._agent(request, deps, name, flash=refused)
        try:
            done = await ops.reinstate(deps, user.actor, name, "Re-entry approved")
        except CommandFailedError as exc:
            return await self._agent(request, deps, name, flash=("error", exc.problem.detail))
        flash = ("success", f"{name} is reinstated.")
        return await self._agent(request, deps, name, flash=flash, position=done.position)

    @get("/approvals", name="approvals")
    async def approvals(self, request: HTMXRequest, deps: NamedDependency[Deps]) -> Template:
        """Drafts waiting for you, oldest first."""
        return await approvals(request, deps)

    @post("/approvals/{approval_id:str}/{verdict:str}", name="approval_decide", status_code=200)
    async def decide(
        self, request: HTMXRequest, deps: NamedDependency[Deps],
        approval_id: FromPath[str], verdict: FromPath[str],
    ) -> Template:  # fmt: skip
        """Approve or reject one draft; the list comes back with the outcome."""
        user = current_user(request)
        form: Any = await request.form()
        try:
            if user.kind != "person":
                raise CommandFailedError(Problem(code="forbidden", detail=PEOPLE_ONLY))
            if verdict == "approve":
                done = await ops.approve(deps, user.actor, approval_id)
            else:
                reason = str(form.get("reason", "")).strip()[:200]
                done = await ops.reject(deps, user.actor, approval_id, reason)
        except CommandFailedError as exc:
            return await approvals(request, deps, flash=("error", exc.problem.detail))
        flash = ("success", f"{done.approval_id} {done.status}.")
        return await approvals(request, deps, flash=flash, position=done.position)
