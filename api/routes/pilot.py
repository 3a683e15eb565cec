"""Pilot work: scope, KPIs, human oversight, incidents and feedback."""

from __future__ import annotations

from litestar import Controller, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody

from api.auth import WORKERS, requires
from api.bodies import (
    FeedbackBody,
    IncidentBody,
    IncidentStatusBody,
    KpiBody,
    OversightBody,
    ScopeBody,
)
from api.deps import Deps, checked_id
from api.dispatch import Accepted, record
from events import pilot
from events.base import Actor


class PilotController(Controller):
    path = "/initiatives/{initiative_id:str}/pilot"
    tags = ["pilot"]
    guards = [requires(*WORKERS)]

    @post("/scope", operation_id="defineScope", status_code=201)
    async def scope(
        self,
        deps: NamedDependency[Deps],
        actor: NamedDependency[Actor],
        initiative_id: FromPath[str],
        data: JSONBody[ScopeBody],
    ) -> Accepted:
        """Define the pilot's user group, sites and planned duration."""
        return await record(
            deps.broker,
            actor,
            initiative_id,
            stage="pilot",
            command_type=pilot.DefineScope,
            body=data,
        )

    @post("/kpis", operation_id="defineKpi", status_code=201)
    async def kpi(
        self,
        deps: NamedDependency[Deps],
        actor: NamedDependency[Actor],
        initiative_id: FromPath[str],
        data: JSONBody[KpiBody],
    ) -> Accepted:
        """Define a KPI (baseline, target, direction, must/should); the same kpi_id again
        supersedes the definition and keeps its measurements."""
        return await record(
            deps.broker,
            actor,
            initiative_id,
            stage="pilot",
            command_type=pilot.DefineKpi,
            body=data,
            id_field="kpi_id",
        )

    @post("/oversight", operation_id="designOversight", status_code=201)
    async def oversight(
        self,
        deps: NamedDependency[Deps],
        actor: NamedDependency[Actor],
        initiative_id: FromPath[str],
        data: JSONBody[OversightBody],
    ) -> Accepted:
        """Design human oversight: who may override the AI, its decision boundaries, the
        escalation path and the accountable person."""
        return await record(
            deps.broker,
            actor,
            initiative_id,
            stage="pilot",
            command_type=pilot.DesignOversight,
            body=data,
        )

    @post("/incidents", operation_id="reportIncident", status_code=201)
    async def incident(
        self,
        deps: NamedDependency[Deps],
        actor: NamedDependency[Actor],
        initiative_id: FromPath[str],
        data: JSONBody[IncidentBody],
    ) -> Accepted:
        """Report an incident with its severity; it is open until its status changes."""
        return await record(
            deps.broker,
            actor,
            initiative_id,
            stage="pilot",
            command_type=pilot.ReportIncident,
            body=data,
            id_field="incident_id",
        )

    @post("/incidents/{incident_id:str}/status", operation_id="changeIncidentStatus",
          status_code=201)  # fmt: skip
    async def incident_status(
        self,
        deps: NamedDependency[Deps],
        actor: NamedDependency[Actor],
        initiative_id: FromPath[str],
        incident_id: FromPath[str],
        data: JSONBody[IncidentStatusBody],
    ) -> Accepted:
        """Move an incident to open, mitigated or resolved."""
        return await record(
            deps.broker,
            actor,
            initiative_id,
            stage="pilot",
            command_type=pilot.ChangeIncidentStatus,
            body=data,
            incident_id=checked_id(incident_id, "incident"),
        )

    @post("/feedback", operation_id="recordFeedback", status_code=201)
    async def feedback(
        self,
        deps: NamedDependency[Deps],
        actor: NamedDependency[Actor],
        initiative_id: FromPath[str],
        data: JSONBody[FeedbackBody],
    ) -> Accepted:
        """Record user feedback with sentiment and severity."""
        return await record(
            deps.broker,
            actor,
            initiative_id,
            stage="pilot",
            command_type=pilot.RecordFeedback,
            body=data,
            id_field="feedback_id",
        )
