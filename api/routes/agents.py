"""AI agents and their approvals (PRODUCT.md section 9): policy, sponsor, attestation, the
kill switch, and the held drafts people approve or reject. Commands go to the `agents`
service; reads come from the projection's agents side view."""

from __future__ import annotations

from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, get, post, put
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody

from api import agents as ops
from api.agent_views import AgentDetail, AgentSummary, detail, summaries
from api.auth import ADMINS, READERS, current_user, people_only, requires
from api.bodies import Version
from api.deps import Deps, caught_up
from api.dispatch import Accepted
from api.routes.initiatives import MinPosition
from events import agents
from events.base import Actor, Id, Text
from events.gates import Note
from services.projection import agents_queries as q


class Versioned(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """`expected_version` of the agent's stream (the `version` a reply carries): 409 if it
    moved on."""

    expected_version: Version | None = None


class SponsorBody(Versioned, kw_only=True, forbid_unknown_fields=True):
    sponsor: Id  # a person's account name


class ReasonBody(Versioned, kw_only=True, forbid_unknown_fields=True):
    reason: Note = ""


class SuspendBody(Versioned, kw_only=True, forbid_unknown_fields=True):
    reason: Text


class AttestBody(Versioned, kw_only=True, forbid_unknown_fields=True):
    """Nothing to say: the sponsor's attestation is valid for the policy's days."""


class PolicyBody(agents.Policy, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """The policy, and optionally the `expected_version` of the agent's stream."""

    expected_version: Version | None = None

    def policy(self) -> agents.Policy:
        fields = msgspec.structs.asdict(self)
        fields.pop("expected_version")
        return agents.Policy(**fields)


class AgentController(Controller):
    path = "/agents"
    tags = ["agents"]
    guards = [requires(*READERS)]

    @get("/", operation_id="listAgents")
    async def list_agents(
        self, deps: NamedDependency[Deps], min_position: MinPosition = None
    ) -> list[AgentSummary]:
        """Every agent account with its policy version, sponsor, attestation and status."""
        await caught_up(deps, min_position)
        return await summaries(deps)

    @get("/{agent_id:str}", operation_id="getAgent")
    async def get_agent(
        self, deps: NamedDependency[Deps], agent_id: FromPath[str], min_position: MinPosition = None
    ) -> AgentDetail:
        """The agent's policy (with its version), sponsor, attestation, status, what it did,
        what was refused (and escalated), what waits for approval."""
        await caught_up(deps, min_position)
        return await detail(deps, agent_id)

    @put("/{agent_id:str}/policy", operation_id="setAgentPolicy", guards=[requires(*ADMINS)])
    async def set_policy(
        self, deps: NamedDependency[Deps], actor: NamedDependency[Actor],
        agent_id: FromPath[str], data: JSONBody[PolicyBody],
    ) -> Accepted:  # fmt: skip
        """Set the agent's policy (admins): per kind of action, optionally narrowed by stage
        and risk class, `direct`, `draft` (held for the approver) or `refused`; the first
        matching rule decides, `otherwise` when none does. Each change is a new version."""
        name = await ops.agent_account(deps, agent_id)
        policy = data.policy()
        await ops.check_approvers(deps, policy)
        cmd = agents.SetPolicy(agent_id=name, at=ops._now(), actor=actor, policy=policy)
        return await ops.command(deps, cmd, data.expected_version)

    @post("/{agent_id:str}/sponsor", operation_id="assignAgentSponsor", status_code=201,
          guards=[requires(*ADMINS)])  # fmt: skip
    async def sponsor(
        self, deps: NamedDependency[Deps], actor: NamedDependency[Actor],
        agent_id: FromPath[str], data: JSONBody[SponsorBody],
    ) -> Accepted:  # fmt: skip
        """Name the person who answers for the agent and re-attests it (admins)."""
        name = await ops.agent_account(deps, agent_id)
        return await ops.set_sponsor(deps, actor, name, data.sponsor, data.expected_version)

    @post("/{agent_id:str}/attestations", operation_id="attestAgent", status_code=201,
          guards=[people_only])  # fmt: skip
    async def attest(
        self, deps: NamedDependency[Deps], actor: NamedDependency[Actor],
        agent_id: FromPath[str], data: JSONBody[AttestBody | None] = None,
    ) -> Accepted:  # fmt: skip
        """The sponsor attests the agent for the policy's attestation days (90 by default);
        a lapsed attestation suspends the agent."""
        name = await ops.agent_account(deps, agent_id)
        cmd = agents.Attest(agent_id=name, at=ops._now(), actor=actor)
        return await ops.command(deps, cmd, (data or AttestBody()).expected_version)

    @post("/{agent_id:str}/suspend", operation_id="suspendAgent", status_code=201,
          guards=[people_only])  # fmt: skip
    async def suspend(
        self, request: Request[Any, Any, Any], deps: NamedDependency[Deps],
        agent_id: FromPath[str], data: JSONBody[SuspendBody],
    ) -> Accepted:  # fmt: skip
        """The kill switch (an admin, or the accountable person of an initiative the agent
        worked on): its tokens stop working at once, each initiative it worked on shows an
        incident and the committee gets a re-entry review."""
        name = await ops.agent_account(deps, agent_id)
        user = current_user(request)
        return await ops.suspend(deps, user, name, data.reason, data.expected_version)

    @post("/{agent_id:str}/reinstate", operation_id="reinstateAgent", status_code=201,
          guards=[requires("committee", "admin"), people_only])  # fmt: skip
    async def reinstate(
        self, deps: NamedDependency[Deps], actor: NamedDependency[Actor],
        agent_id: FromPath[str], data: JSONBody[ReasonBody | None] = None,
    ) -> Accepted:  # fmt: skip
        """Re-entry approved (an admin or the committee): the agent and its tokens work again."""
        name = await ops.agent_account(deps, agent_id)
        body = data or ReasonBody()
        return await ops.reinstate(deps, actor, name, body.reason, body.expected_version)


ApprovalId = Annotated[str, msgspec.Meta(max_length=140)]


class ApprovalController(Controller):
    path = "/approvals"
    tags = ["agents"]
    guards = [requires(*READERS)]

    @get("/", operation_id="listApprovals")
    async def waiting(
        self, request: Request[Any, Any, Any], deps: NamedDependency[Deps],
        min_position: MinPosition = None,
    ) -> list[q.Action]:  # fmt: skip
        """Agents' held actions you may decide (you are the named approver or hold the role),
        oldest first; `approval_id` names each for approve and reject."""
        await caught_up(deps, min_position)
        user = current_user(request)
        return await q.waiting_for(deps.reads, user.name, user.role)

    @get("/escalations", operation_id="listEscalations")
    async def escalations(
        self, request: Request[Any, Any, Any], deps: NamedDependency[Deps],
        min_position: MinPosition = None,
    ) -> list[q.Action]:  # fmt: skip
        """Agents' refused actions escalated to you (you sponsor the agent; admins for an
        agent without a sponsor), newest first."""
        await caught_up(deps, min_position)
        user = current_user(request)
        return await q.escalated_to(deps.reads, user.name, user.role)

    @get("/quality", operation_id="getApprovalQuality")
    async def quality(
        self, deps: NamedDependency[Deps], min_position: MinPosition = None
    ) -> list[q.Quality]:
        """Per approver: drafts decided, the approval rate and the median hours to decide."""
        await caught_up(deps, min_position)
        return await q.quality(deps.reads)

    @post("/{approval_id:str}/approve", operation_id="approveAction", status_code=200,
          guards=[people_only])  # fmt: skip
    async def approve(
        self, deps: NamedDependency[Deps], actor: NamedDependency[Actor],
        approval_id: FromPath[ApprovalId],
    ) -> ops.Decided:  # fmt: skip
        """Approve a held action: recorded, then its command reaches its stage with the agent
        as actor (once, whatever the retries); the reply has the stage's version and position."""
        return await ops.approve(deps, actor, approval_id)

    @post("/{approval_id:str}/reject", operation_id="rejectAction", status_code=200,
          guards=[people_only])  # fmt: skip
    async def reject(
        self, deps: NamedDependency[Deps], actor: NamedDependency[Actor],
        approval_id: FromPath[ApprovalId], data: JSONBody[ReasonBody | None] = None,
    ) -> ops.Decided:  # fmt: skip
        """Reject a held action with a reason: it never reaches its stage."""
        body = data or ReasonBody()
        return await ops.reject(deps, actor, approval_id, body.reason, body.expected_version)
