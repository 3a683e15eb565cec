"""Ideation stage work: workshops, scores, the sourcing decision, the risk pre-class."""

from __future__ import annotations

from litestar import Controller, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody

from api.auth import WORKERS, requires
from api.bodies import RiskBody, ScoreBody, SourcingBody, WorkshopBody
from api.deps import Deps
from api.dispatch import Accepted, record
from events import ideation
from events.base import Actor


class IdeationController(Controller):
    path = "/initiatives/{initiative_id:str}/ideation"
    tags = ["ideation"]
    guards = [requires(*WORKERS)]

    @post("/workshops", operation_id="holdWorkshop", status_code=201)
    async def workshop(
        self,
        deps: NamedDependency[Deps],
        actor: NamedDependency[Actor],
        initiative_id: FromPath[str],
        data: JSONBody[WorkshopBody],
    ) -> Accepted:
        """Record an ideation workshop: date, participants and outcome."""
        return await record(
            deps.broker,
            actor,
            initiative_id,
            stage="ideation",
            command_type=ideation.HoldWorkshop,
            body=data,
            id_field="workshop_id",
        )

    @post("/scores", operation_id="scoreIdea", status_code=201)
    async def score(
        self,
        deps: NamedDependency[Deps],
        actor: NamedDependency[Actor],
        initiative_id: FromPath[str],
        data: JSONBody[ScoreBody],
    ) -> Accepted:
        """Score value, feasibility, risk and strategic fit (1-5 each); priority is derived."""
        return await record(
            deps.broker,
            actor,
            initiative_id,
            stage="ideation",
            command_type=ideation.ScoreIdea,
            body=data,
        )

    @post("/sourcing", operation_id="decideSourcing", status_code=201)
    async def sourcing(
        self,
        deps: NamedDependency[Deps],
        actor: NamedDependency[Actor],
        initiative_id: FromPath[str],
        data: JSONBody[SourcingBody],
    ) -> Accepted:
        """Decide build, buy or partner, with the rationale."""
        return await record(
            deps.broker,
            actor,
            initiative_id,
            stage="ideation",
            command_type=ideation.DecideSourcing,
            body=data,
        )

    @post("/risk", operation_id="preclassifyRisk", status_code=201)
    async def risk(
        self,
        deps: NamedDependency[Deps],
        actor: NamedDependency[Actor],
        initiative_id: FromPath[str],
        data: JSONBody[RiskBody],
    ) -> Accepted:
        """Pre-classify the EU AI Act risk: prohibited, high, limited or minimal."""
        return await record(
            deps.broker,
            actor,
            initiative_id,
            stage="ideation",
            command_type=ideation.PreclassifyRisk,
            body=data,
        )
