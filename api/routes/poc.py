"""Proof-of-concept work: hypotheses and results, data sources, model choice, risk class."""

from __future__ import annotations

from litestar import Controller, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody

from api.auth import WORKERS, requires
from api.bodies import DataSourceBody, HypothesisBody, ModelChoiceBody, ResultBody, RiskBody
from api.deps import Deps, checked_id
from api.dispatch import Accepted, record
from events import poc
from events.base import Actor


class PocController(Controller):
    path = "/initiatives/{initiative_id:str}/poc"
    tags = ["poc"]
    guards = [requires(*WORKERS)]

    @post("/hypotheses", operation_id="addHypothesis", status_code=201)
    async def hypothesis(
        self,
        deps: NamedDependency[Deps],
        actor: NamedDependency[Actor],
        initiative_id: FromPath[str],
        data: JSONBody[HypothesisBody],
    ) -> Accepted:
        """Add a hypothesis with its success criterion: `metric comparator threshold`."""
        return await record(
            deps.broker,
            actor,
            initiative_id,
            stage="poc",
            command_type=poc.AddHypothesis,
            body=data,
            id_field="hypothesis_id",
        )

    @post("/hypotheses/{hypothesis_id:str}/results", operation_id="recordResult",
          status_code=201)  # fmt: skip
    async def result(
        self,
        deps: NamedDependency[Deps],
        actor: NamedDependency[Actor],
        initiative_id: FromPath[str],
        hypothesis_id: FromPath[str],
        data: JSONBody[ResultBody],
    ) -> Accepted:
        """Record an experiment result for a hypothesis; a later one supersedes it."""
        return await record(
            deps.broker,
            actor,
            initiative_id,
            stage="poc",
            command_type=poc.RecordResult,
            body=data,
            hypothesis_id=checked_id(hypothesis_id, "hypothesis"),
        )

    @post("/data-sources", operation_id="confirmDataSource", status_code=201)
    async def data_source(
        self,
        deps: NamedDependency[Deps],
        actor: NamedDependency[Actor],
        initiative_id: FromPath[str],
        data: JSONBody[DataSourceBody],
    ) -> Accepted:
        """Confirm a data source the solution may use."""
        return await record(
            deps.broker,
            actor,
            initiative_id,
            stage="poc",
            command_type=poc.ConfirmDataSource,
            body=data,
            id_field="source_id",
        )

    @post("/model", operation_id="chooseModel", status_code=201)
    async def model(
        self,
        deps: NamedDependency[Deps],
        actor: NamedDependency[Actor],
        initiative_id: FromPath[str],
        data: JSONBody[ModelChoiceBody],
    ) -> Accepted:
        """Record the model or tool chosen, with the rationale."""
        return await record(
            deps.broker, actor, initiative_id, stage="poc", command_type=poc.ChooseModel, body=data
        )

    @post("/risk", operation_id="confirmRiskClass", status_code=201)
    async def risk(
        self,
        deps: NamedDependency[Deps],
        actor: NamedDependency[Actor],
        initiative_id: FromPath[str],
        data: JSONBody[RiskBody],
    ) -> Accepted:
        """Confirm the EU AI Act risk class."""
        return await record(
            deps.broker,
            actor,
            initiative_id,
            stage="poc",
            command_type=poc.ConfirmRiskClass,
            body=data,
        )
