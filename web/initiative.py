"""The initiative page: header, readiness checklist, KPI charts, gate history, timeline,
and the forms for the stage work the user's role allows. `as_of` shows a past state.

One URL serves the page and its live fragments: an htmx request names its target
(`live` for the state, `work` for the forms) and gets only that part.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from litestar import Controller, get
from litestar.di import NamedDependency
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, FromQuery
from litestar.plugins.htmx import HTMXRequest
from litestar.response import Template

from api.auth import REVIEW_REQUESTERS, STEWARDS, WORKERS
from api.deps import Deps, checked_id
from api.users import User
from events.criteria import QUORUM
from services.projection import queries
from services.projection.models import InitiativeDetail, InitiativeSummary
from services.projection.views.gate_history import ConditionView
from web import charts
from web.asof import parse_as_of
from web.forms import FormSpec
from web.pages import PAGE_ERRORS, may, page, signed_in, user_of
from web.stage_forms import MEASUREMENT, for_stage
from web.timeline import entries, recorded, sse_trigger

FRAGMENTS = {"live": "partials/initiative_live.html", "work": "partials/work.html"}
OPEN = ("active", "in_review")


def kpi_charts(detail: InitiativeDetail) -> list[str]:
    return [
        charts.line_chart([(p.at, p.value) for p in k.series], baseline=k.baseline,
                          target=k.target, title=k.name or k.kpi_id, unit=k.unit)
        for k in detail.metrics
    ]  # fmt: skip


def open_conditions(detail: InitiativeDetail) -> list[ConditionView]:
    return [c for r in detail.gates.reviews if r.decision for c in r.decision.conditions
            if not c.fulfilled]  # fmt: skip


def acts_on(user: User | None, s: InitiativeSummary) -> bool:
    """An owner acts only on the initiatives they own or are on the team of; the other
    roles as their role allows (the stage services enforce the same)."""
    if user is None or user.role != "owner":
        return True
    return user.name == s.owner_account or any(p.account == user.name for p in s.team)


def may_hand_over(user: User | None, s: InitiativeSummary) -> bool:
    """The owner (by account), the committee or an admin; never an agent."""
    if user is None or user.kind != "person" or s.status == "killed":
        return False
    return user.role in ("committee", "admin") or user.name == s.owner_account


def work_forms(detail: InitiativeDetail, choices: dict[str, Any]) -> list[FormSpec]:
    """The stage's forms while it is open (a launched one still takes measurements); a
    form choosing a KPI or hypothesis only once there is one."""
    status, stage = detail.summary.status, detail.summary.stage
    if status not in (*OPEN, "launched"):
        return []
    found = for_stage(stage) if status in OPEN else [MEASUREMENT]
    return [f for f in found if all(choices.get(x.name, True) for x in f.fields if x.extra)]


async def context(
    deps: Deps, user: User | None, initiative_id: str, as_of: datetime | None
) -> dict[str, Any]:
    """Everything the page and its fragments show, read from the read models only."""
    detail = await queries.get_initiative(deps.pool, checked_id(initiative_id), as_of=as_of)
    if detail is None:
        raise NotFoundException(f"no initiative {initiative_id}" + (" at that time" * bool(as_of)))
    timeline = entries(await queries.timeline(deps.pool, initiative_id), as_of)
    s = detail.summary
    live = as_of is None
    mine = acts_on(user, s)
    choices = {
        "kpi_id": [(k.kpi_id, k.name or k.kpi_id) for k in detail.metrics],
        "hypothesis_id": recorded(timeline, "hypothesis_added", "hypothesis_id", "statement"),
        "incident_id": recorded(timeline, "incident_reported", "incident_id", "title"),
    }
    return {
        "detail": detail, "s": s, "timeline": timeline, "kpi_charts": kpi_charts(detail),
        "as_of": as_of, "conditions": open_conditions(detail), "live": live,
        "forms": work_forms(detail, choices) if live and mine and may(user, WORKERS) else [],
        "choices": choices,
        "can_request": live and mine and s.status == "active" and detail.readiness is not None
        and may(user, REVIEW_REQUESTERS),
        "can_steward": live and mine and may(user, STEWARDS), "quorum": QUORUM,
        "can_hand_over": live and may_hand_over(user, s),
        "state_trigger": sse_trigger(), "stage_trigger": sse_trigger(
            "_opened.v1", "gate_decided.v1", "gate_review_requested.v1", "resumed.v1"),
    }  # fmt: skip


class InitiativePage(Controller):
    path = "/initiatives"
    guards = [signed_in]
    exception_handlers = PAGE_ERRORS
    include_in_schema = False

    @get("/{initiative_id:str}", name="initiative")
    async def show(
        self,
        request: HTMXRequest,
        deps: NamedDependency[Deps],
        initiative_id: FromPath[str],
        as_of: FromQuery[str | None] = None,
    ) -> Template:
        """The page, or the fragment an htmx request targets."""
        moment, as_of_error = parse_as_of(as_of)
        ctx = await context(deps, user_of(request), initiative_id, moment)
        target = request.htmx.target if request.htmx else None
        if target in FRAGMENTS:
            return page(FRAGMENTS[str(target)], request, **ctx)
        return page("initiative.html", request, as_of_error=as_of_error, **ctx)
