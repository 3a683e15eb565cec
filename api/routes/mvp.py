"""MVP work: documentation, monitoring, the release checklist; KPI measurements (any stage
from the pilot on, routed to the service that owns the initiative now)."""

from __future__ import annotations

from litestar import Controller, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody

from api.auth import WORKERS, requires
from api.bodies import ChecklistBody, DocumentBody, MeasurementBody, MonitoringBody
from api.deps import Deps, checked_id
from api.dispatch import Accepted, kpi_stage, record
from events import mvp
from events.base import Actor
from events.kpis import RecordMeasurement


class MvpController(Controller):
    path = "/initiatives/{initiative_id:str}/mvp"
    tags = ["mvp"]
    guards = [requires(*WORKERS)]

    @post("/documents", operation_id="recordDocument", status_code=201)
    async def document(
        self,
        deps: NamedDependency[Deps],
        actor: NamedDependency[Actor],
        initiative_id: FromPath[str],
        data: JSONBody[DocumentBody],
    ) -> Accepted:
        """Record a new version of a document (model card, decision logic, data sheet, DPIA,
        runbook) with its link and author."""
        return await record(
            deps.broker,
            actor,
            initiative_id,
            stage="mvp",
            command_type=mvp.RecordDocument,
            body=data,
            id_field="document_id",
        )

    @post("/monitoring", operation_id="configureMonitoring", status_code=201)
    async def monitoring(
        self,
        deps: NamedDependency[Deps],
        actor: NamedDependency[Actor],
        initiative_id: FromPath[str],
        data: JSONBody[MonitoringBody],
    ) -> Accepted:
        """Configure monitoring: metrics with thresholds, and its owner."""
        return await record(
            deps.broker,
            actor,
            initiative_id,
            stage="mvp",
            command_type=mvp.ConfigureMonitoring,
            body=data,
        )

    @post("/checklist", operation_id="updateReleaseChecklist", status_code=201)
    async def checklist(
        self,
        deps: NamedDependency[Deps],
        actor: NamedDependency[Actor],
        initiative_id: FromPath[str],
        data: JSONBody[ChecklistBody],
    ) -> Accepted:
        """Replace the release readiness checklist with the one given."""
        return await record(
            deps.broker,
            actor,
            initiative_id,
            stage="mvp",
            command_type=mvp.UpdateReleaseChecklist,
            body=data,
        )


class KpiController(Controller):
    path = "/initiatives/{initiative_id:str}/kpis"
    tags = ["kpis"]
    guards = [requires(*WORKERS)]

    @post("/{kpi_id:str}/measurements", operation_id="recordMeasurement", status_code=201)
    async def measurement(
        self,
        deps: NamedDependency[Deps],
        actor: NamedDependency[Actor],
        initiative_id: FromPath[str],
        kpi_id: FromPath[str],
        data: JSONBody[MeasurementBody],
    ) -> Accepted:
        """Record a KPI value (`at` defaults to now); the same measurement_id twice is a no-op.
        Goes to pilot or mvp, whichever owns the initiative (mvp once launched)."""
        stage, open_wait = await kpi_stage(deps.broker, checked_id(initiative_id))
        return await record(
            deps.broker,
            actor,
            initiative_id,
            stage=stage,
            open_wait=open_wait,
            command_type=RecordMeasurement,
            body=data,
            id_field="measurement_id",
            kpi_id=checked_id(kpi_id, "KPI"),
        )
