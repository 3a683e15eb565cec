"""Acknowledging a pilot incident from its dossier record (partials/incident.html).

The stage service decides who may (the accountable person, the committee, an admin; never an
agent); a refusal comes back as a message on the page, a success re-renders the page's live
part, where the incident now reads "Acknowledged by ...".
"""

from __future__ import annotations

from typing import Any

from litestar import Controller, Response, post
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.plugins.htmx import HTMXRequest
from litestar.response import Redirect

from api.auth import current_user
from api.bodies import AcknowledgeBody
from api.deps import Deps, checked_id
from api.dispatch import record
from api.problems import CommandFailedError
from events import pilot
from web.initiative import context
from web.pages import PAGE_ERRORS, page, read_own_write, signed_in
from web.work import RECORDED, form_values, refusal


class IncidentPosts(Controller):
    path = "/initiatives/{initiative_id:str}/incidents"
    guards = [signed_in]
    exception_handlers = PAGE_ERRORS
    include_in_schema = False

    @post("/{incident_id:str}/acknowledge", name="acknowledge_incident", status_code=200)
    async def acknowledge(
        self,
        request: HTMXRequest,
        deps: NamedDependency[Deps],
        initiative_id: FromPath[str],
        incident_id: FromPath[str],
    ) -> Response[Any]:
        """Acknowledge an incident: it no longer escalates to the committee chair."""
        user = current_user(request)
        note = (await form_values(request)).get("note", "").strip()[:200]
        flash = ("success", "Incident acknowledged: it will not escalate to the committee chair.")
        try:
            done = await record(
                deps.broker, user.actor, initiative_id, stage="pilot",
                command_type=pilot.AcknowledgeIncident, body=AcknowledgeBody(note=note),
                incident_id=checked_id(incident_id, "incident"),
            )  # fmt: skip
            await read_own_write(deps, done.position)
        except CommandFailedError as exc:
            flash = ("error", refusal(exc))
        if not request.htmx and flash[0] == "success":
            return Redirect(path=f"/initiatives/{initiative_id}", status_code=303)
        ctx = await context(deps, user, initiative_id, None)
        template = "partials/initiative_live.html" if request.htmx else "initiative.html"
        return page(template, request, flash=flash, headers=RECORDED, **ctx)
