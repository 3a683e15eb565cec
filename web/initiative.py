"""The initiative page: header, readiness checklist, KPI charts, gate history, timeline,
and the forms for the stage work the user's role allows. `as_of` shows a past state.

One URL serves the page and its live fragments: an htmx request names its target
(`live` for the state, `work` for the forms) and gets only that part.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from litestar import Controller, get
from litestar.di import NamedDependency
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, FromQuery, QueryParameter
from litestar.plugins.htmx import HTMXRequest
from litestar.response import Template

from api.auth import REVIEW_REQUESTERS, STEWARDS, WORKERS
from api.deps import Deps, checked_id
from api.users import User
from events.criteria import QUORUM
from services.projection import agents_queries, obligations_queries, queries
from services.projection.models import InitiativeDetail, InitiativeSummary
from services.projection.views.gate_history import ConditionView
from web.asof import parse_as_of
from web.case_form import BUSINESS_CASE, prefilled
from web.forms import FormSpec
from web.kpi_view import KpiFigure, figures
from web.narrative import Names
from web.obligation_forms import FORMS as OBLIGATION_FORMS
from web.obligation_forms import choices as obligation_choices
from web.pages import PAGE_ERRORS, may, page, signed_in, user_of
from web.stage_forms import MEASUREMENT, for_stage
from web.timeline import Filters, choices, entries, recorded, sse_trigger

FRAGMENTS = {"live": "partials/initiative_live.html", "work": "partials/work.html"}
OPEN = ("active", "in_review")
NO_FILTER = Filters()
EventKind = Annotated[str | None, QueryParameter(name="type", description="an event's name")]


def now() -> datetime:
    return datetime.now(UTC)


def kpi_charts(detail: InitiativeDetail) -> list[KpiFigure]:
    """Each KPI's chart and its table of measurements (web.kpi_view)."""
    return figures(detail.metrics)


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
    found = for_stage(stage) if status in OPEN else [MEASUREMENT, BUSINESS_CASE, *OBLIGATION_FORMS]
    return [f for f in found if all(choices.get(x.name, True) for x in f.fields if x.extra)]


def names(detail: InitiativeDetail) -> Names:
    """What the timeline calls the KPIs, hypotheses, incidents and conditions it refers to."""
    d = detail.dossier
    return Names(
        kpis={k.kpi_id: (k.name or "a KPI", k.unit) for k in detail.metrics},
        hypotheses={h.hypothesis_id: h.statement for h in d.hypotheses},
        incidents={i.incident_id: i.title for i in d.incidents},
        conditions={c.condition_id: c.text for c in detail.conditions},
    )


def fixes(
    forms: list[FormSpec], can_steward: bool, conditions: list[ConditionView]
) -> dict[str, str]:
    """Stage work the user can record here -> the anchor of its form on this page."""
    found = {f.key: f"#form-{f.key}" for f in forms}
    if can_steward and conditions:
        found["conditions"] = "#conditions-title"
    return found


async def context(
    deps: Deps,
    user: User | None,
    initiative_id: str,
    as_of: datetime | None,
    filters: Filters | None = None,
) -> dict[str, Any]:
    """Everything the page and its fragments show, read from the read models only."""
    detail = await queries.get_initiative(deps.reads, checked_id(initiative_id), as_of=as_of)
    if detail is None:
        raise NotFoundException(f"no initiative {initiative_id}" + (" at that time" * bool(as_of)))
    timeline = entries(await queries.timeline(deps.reads, initiative_id), as_of, names(detail))
    s = detail.summary
    live = as_of is None
    mine = acts_on(user, s)
    duties = await obligations_queries.of_initiative(deps.reads, s.initiative_id, now(), as_of)
    options = {
        "obligation_id": obligation_choices(duties),
        "kpi_id": [(k.kpi_id, k.name or k.kpi_id) for k in detail.metrics],
        "hypothesis_id": recorded(timeline, "hypothesis_added", "hypothesis_id", "statement"),
        "incident_id": recorded(timeline, "incident_reported", "incident_id", "title"),
    }
    forms = work_forms(detail, options) if live and mine and may(user, WORKERS) else []
    can_steward = live and mine and may(user, STEWARDS)
    conditions = open_conditions(detail)
    return {
        "detail": detail, "s": s, "kpi_charts": kpi_charts(detail),
        "timeline": [e for e in timeline if (filters or NO_FILTER).keeps(e)],
        "filters": filters or NO_FILTER,
        "filter_choices": choices(timeline), "timeline_total": len(timeline),
        "as_of": as_of, "conditions": conditions, "live": live,
        "forms": forms, "choices": options, "fixes": fixes(forms, can_steward, conditions),
        "prefills": prefilled(detail.business_case), "obligations": duties,
        "can_request": live and mine and s.status == "active" and detail.readiness is not None
        and may(user, REVIEW_REQUESTERS),
        "can_steward": can_steward, "quorum": QUORUM,
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
        *,
        as_of: FromQuery[str | None] = None,
        stage: FromQuery[str | None] = None,
        kind: EventKind = None,
        by: Annotated[str | None, QueryParameter(name="actor")] = None,
    ) -> Template:
        """The page, or the fragment an htmx request targets; `stage`, `type` (an event's
        name, e.g. kpi_measured) and `actor` filter the timeline."""
        moment, as_of_error = parse_as_of(as_of)
        filters = Filters(stage=stage or None, kind=kind or None, actor=by or None)
        ctx = await context(deps, user_of(request), initiative_id, moment, filters)
        # the kill switch's incident on each initiative a suspended agent worked on
        ctx["agent_incidents"] = await agents_queries.suspensions(
            deps.reads, initiative_id=initiative_id
        )
        ctx["agent_work"] = await agents_queries.for_initiative(deps.reads, initiative_id)
        target = request.htmx.target if request.htmx else None
        if target in FRAGMENTS:
            return page(FRAGMENTS[str(target)], request, **ctx)
        return page("initiative.html", request, as_of_error=as_of_error, **ctx)
