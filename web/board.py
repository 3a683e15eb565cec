"""The portfolio board: a column per stage with a card per initiative, filters that swap
the board without a reload, the portfolio charts, and the "as of" view.

One URL (/) serves the page, and the board fragment to htmx requests.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, get_args

import msgspec
from litestar import Controller, get
from litestar.di import NamedDependency
from litestar.params import FromQuery
from litestar.plugins.htmx import HTMXRequest
from litestar.response import Template

from api.deps import Deps
from events.base import STAGES
from events.gates import RiskClass
from services.projection import queries
from services.projection.models import Portfolio
from services.projection.views.summary import Status
from web import charts
from web.asof import parse_as_of
from web.pages import PAGE_ERRORS, STAGE_NAMES, page, signed_in, user_of
from web.timeline import sse_trigger

STATUSES: tuple[str, ...] = get_args(Status)
RISKS: tuple[str, ...] = get_args(RiskClass)
MOST = 200


class Filters(msgspec.Struct, kw_only=True):
    owner: str | None = None
    status: str | None = None
    risk_class: str | None = None
    q: str | None = None
    mine: bool = False  # only the initiatives the signed-in user owns or is on the team of


class Card(msgspec.Struct, kw_only=True):
    id: str
    title: str
    owner: str
    stage: str
    status: str
    days: float
    readiness: int | None
    stale: bool = False
    owner_account: str | None = None  # None: the owner is a name without an account


async def cards(deps: Deps, f: Filters, as_of: datetime | None, account: str) -> list[Card]:
    """The filtered initiatives (as they were at `as_of`, when given) with their readiness;
    "mine": those `account` owns or is on the team of."""
    given = msgspec.to_builtins(f)
    member = account if given.pop("mine") else None
    found = await queries.list_initiatives(
        deps.reads, limit=MOST, as_of=as_of, member=member, **given
    )
    return [
        Card(id=s.initiative_id, title=s.title, owner=s.owner, stage=s.stage, status=s.status,
             days=s.time_in_stage_days, readiness=s.readiness_percent,
             owner_account=s.owner_account)
        for s in found.items
    ]  # fmt: skip


def portfolio_charts(p: Portfolio) -> list[tuple[str, str]]:
    """(svg, caption) per chart: the funnel, conversion per gate, outcomes, cycle time."""
    reached = [(STAGE_NAMES[s], sum(p.per_stage.get(t, 0) for t in STAGES[i:]))
               for i, s in enumerate(STAGES)]  # fmt: skip
    conversion = [(str(c.gate), (c.rate or 0.0) * 100) for c in p.conversion]
    passed = ", ".join(f"{c.gate} {c.passed} of {c.decided}" for c in p.conversion)
    statuses = [(s.replace("_", " "), float(p.per_status.get(s, 0))) for s in STATUSES]
    cycle = [(STAGE_NAMES[c.stage], c.median_days or 0.0) for c in p.cycle_times]
    return [
        (charts.funnel(reached, title="Funnel: initiatives that reached each stage"),
         f"{p.total} initiatives in all."),
        (charts.bar_chart(conversion, title="Conversion per gate", unit="%", max_value=100),
         f"Passed of decided: {passed}."),
        (charts.bar_chart(statuses, title=f"Status; kill rate {p.kill_rate * 100:.0f}%"),
         "Killed initiatives over all initiatives give the kill rate."),
        (charts.bar_chart(cycle, title="Median cycle time per stage", unit="d"),
         "Days from entering to leaving a stage (ongoing visits count until now)."),
    ]  # fmt: skip


class BoardPage(Controller):
    path = "/"
    guards = [signed_in]
    exception_handlers = PAGE_ERRORS
    include_in_schema = False

    @get("/", name="board")
    async def board(
        self, request: HTMXRequest, deps: NamedDependency[Deps], *,
        owner: FromQuery[str | None] = None, status: FromQuery[str | None] = None,
        risk_class: FromQuery[str | None] = None, q: FromQuery[str | None] = None,
        as_of: FromQuery[str | None] = None, mine: FromQuery[str | None] = None,
    ) -> Template:  # fmt: skip
        """The board page, or just the board and charts for an htmx request."""
        given = {"owner": owner, "status": status, "risk_class": risk_class, "q": q}
        f = Filters(**{k: v.strip() for k, v in given.items() if v and v.strip()}, mine=bool(mine))
        moment, as_of_error = parse_as_of(as_of)
        user = user_of(request)
        found = await cards(deps, f, moment, user.name if user else "")
        p = await queries.portfolio(deps.reads, stale_days=deps.settings.stale_days, as_of=moment)
        stale = {s.initiative_id for s in p.stale}
        for c in found:
            c.stale = c.id in stale
        ctx: dict[str, Any] = {
            "columns": [(s, [c for c in found if c.stage == s]) for s in STAGES],
            "filters": f, "as_of": moment, "as_of_raw": as_of or "", "as_of_error": as_of_error,
            "charts": portfolio_charts(p), "statuses": STATUSES, "risks": RISKS,
            "portfolio": p, "state_trigger": sse_trigger(), "shown": len(found),
        }  # fmt: skip
        template = "partials/board.html" if request.htmx else "board.html"
        return page(template, request, **ctx)
