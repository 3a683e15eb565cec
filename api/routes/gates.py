"""Gates: request a review, vote/decide, fulfil conditions, resume a held initiative.

Each goes to the service that owns the initiative's current stage (read from the
read models); an initiative that is not known there is a 404.
"""

from __future__ import annotations

from litestar import Controller, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody

from api.auth import DECIDERS, REVIEW_REQUESTERS, STEWARDS, people_only, requires
from api.bodies import DecisionBody, FulfilBody, GateReviewBody, ResumeBody
from api.deps import Deps, checked_id
from api.dispatch import Accepted, cast_vote, record_at_current_stage
from events import gates
from events.base import Actor


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
          guards=[requires(*DECIDERS), people_only])  # fmt: skip
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
          status_code=201, guards=[requires(*STEWARDS)])  # fmt: skip
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
