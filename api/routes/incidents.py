"""Acknowledging a pilot incident: a person takes it on, so it does not escalate to the
committee chair (PRODUCT.md section 9)."""

from __future__ import annotations

from litestar import Controller, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody

from api.bodies import AcknowledgeBody
from api.deps import Deps, checked_id
from api.dispatch import Accepted, record
from events import pilot
from events.base import Actor


class IncidentController(Controller):
    path = "/initiatives/{initiative_id:str}/pilot/incidents"
    tags = ["pilot"]

    @post("/{incident_id:str}/acknowledge", operation_id="acknowledgeIncident", status_code=201)
    async def acknowledge(
        self,
        deps: NamedDependency[Deps],
        actor: NamedDependency[Actor],
        initiative_id: FromPath[str],
        incident_id: FromPath[str],
        data: JSONBody[AcknowledgeBody | None] = None,
    ) -> Accepted:
        """Acknowledge an incident: the person answering for it has taken it on, and a high or
        critical one no longer escalates to the committee chair when its time limit passes.
        Only a person acknowledges, never an agent: the oversight design's accountable
        person, a committee member or an admin (while no one is named accountable, also
        whoever records the pilot's work). Acknowledging again changes nothing; an unknown
        incident is a 404."""
        return await record(
            deps.broker,
            actor,
            initiative_id,
            stage="pilot",
            command_type=pilot.AcknowledgeIncident,
            body=data or AcknowledgeBody(),
            incident_id=checked_id(incident_id, "incident"),
        )
