"""Gates: request a review, vote/decide, fulfil conditions, resume a held initiative, and
replay a past decision.

Each command goes to the service that owns the initiative's current stage (asked of the
stage services); an initiative that is not known there is a 404. A replay is read from
the read models.
"""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, get, post
from litestar.di import NamedDependency
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, JSONBody, PathParameter

from api.auth import (
    DECIDERS,
    READERS,
    REVIEW_REQUESTERS,
    STEWARDS,
    agents_never,
    people_only,
    requires,
)
from api.bodies import DecisionBody, FulfilBody, GateReviewBody, ResumeBody
from api.deps import Deps, caught_up, checked_id
from api.dispatch import Accepted, cast_vote, record_at_current_stage
from api.routes.initiatives import MinPosition
from events import gates
from events.base import Actor
from services.projection import queries
from services.projection.decisions import DecisionReplay

Nth = Annotated[int, PathParameter(ge=1, le=10_000, description="1 for the first decision taken")]


class GateController(Controller):
    path = "/initiatives/{initiative_id:str}"
    tags = ["gates"]

    @post("/gate-reviews", operation_id="requestGateReview", status_code=201,
          guards=[requires(*REVIEW_REQUESTERS)])  # fmt: skip
    async def request_review(
        self,
        deps: NamedDependency[Deps],
        actor: NamedDependency[Actor],
        initiative_id: FromPath[str],
        data: JSONBody[GateReviewBody | None] = None,
    ) -> Accepted:
        """Ask the steering committee to review the current gate (owner or admin)."""
        return await record_at_current_stage(
            deps.broker, actor, initiative_id,
            command_type=gates.RequestGateReview, body=data or GateReviewBody(),
        )  # fmt: skip

    @post("/gate-decisions", operation_id="decideGate", status_code=201,
          guards=[people_only, requires(*DECIDERS)])  # fmt: skip
    async def decide(
        self,
        deps: NamedDependency[Deps],
        actor: NamedDependency[Actor],
        initiative_id: FromPath[str],
        data: JSONBody[DecisionBody],
    ) -> Accepted:
        """Cast a committee member's vote: go, conditional_go (with conditions), hold,
        recycle or kill. It becomes the gate decision once the gate's quorum agrees
        (`event_ids` then holds two events). A go with unmet must-meet criteria is a 409
        listing them in `unmet`. Committee members who are people only."""
        return await cast_vote(deps.broker, actor, initiative_id, data)

    @post("/conditions/{condition_id:str}/fulfil", operation_id="fulfilCondition",
          status_code=201, guards=[agents_never("fulfil-condition", "fulfil a condition"),
                                   requires(*STEWARDS)])  # fmt: skip
    async def fulfil(
        self,
        deps: NamedDependency[Deps],
        actor: NamedDependency[Actor],
        initiative_id: FromPath[str],
        condition_id: FromPath[str],
        data: JSONBody[FulfilBody | None] = None,
    ) -> Accepted:
        """Mark a condition of a conditional_go fulfilled (owner, committee or admin)."""
        return await record_at_current_stage(
            deps.broker, actor, initiative_id,
            command_type=gates.FulfilCondition, body=data or FulfilBody(),
            condition_id=checked_id(condition_id, "condition"),
        )  # fmt: skip

    @post("/resume", operation_id="resumeInitiative", status_code=201,
          guards=[requires(*STEWARDS)])  # fmt: skip
    async def resume(
        self,
        deps: NamedDependency[Deps],
        actor: NamedDependency[Actor],
        initiative_id: FromPath[str],
        data: JSONBody[ResumeBody | None] = None,
    ) -> Accepted:
        """Resume an initiative on hold, into the same stage (owner, committee or admin)."""
        return await record_at_current_stage(
            deps.broker, actor, initiative_id,
            command_type=gates.Resume, body=data or ResumeBody(),
        )  # fmt: skip

    @get("/decisions/{n:int}", operation_id="replayDecision", guards=[requires(*READERS)])
    async def replay(
        self,
        deps: NamedDependency[Deps],
        initiative_id: FromPath[str],
        n: Nth,
        min_position: MinPosition = None,
    ) -> DecisionReplay:
        """Replay the initiative's n-th gate decision (numbered in the order taken, as in
        `decisions` of `GET /initiatives/{id}`): the readiness checklist exactly as it stood
        when the committee decided (criteria version, each criterion met or unmet with its
        evidence then), the votes (and the earlier votes members replaced), the rationale
        and conditions. For a recycle, `since` lists the evidence added and superseded
        after it and the criteria still unmet, up to the next decision at that gate or now."""
        await caught_up(deps, min_position)
        found = await queries.decision_replay(deps.reads, checked_id(initiative_id), n)
        if found is None:
            raise NotFoundException(f"initiative {initiative_id} has no decision {n}")
        return found
