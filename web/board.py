"""The portfolio board: a column per stage with a card per initiative, filters and a sort
order that swap the board without a reload, the portfolio charts of the same filtered
initiatives, a CSV export of them, and the "as of" view.

Each column shows its first PAGE cards; "Show more" asks for PAGE more of that column
(`show_<stage>=N`), so the board reads only what it shows, whatever the portfolio's size.
One URL (/) serves the page, and the board fragment to htmx requests.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, get_args
from urllib.parse import urlencode

import msgspec
from litestar import Controller, get
from litestar.di import NamedDependency
from litestar.params import FromQuery
from litestar.plugins.htmx import HTMXRequest
from litestar.response import Template

from api.deps import Deps
from events.base import STAGES
from events.gates import RiskClass
from services.projection import board, board_figures, inbox_store
from services.projection.models import Portfolio
from services.projection.ordering import SORT_NAMES, SORTS, Sort
from services.projection.portfolio import LIVE
from services.projection.views.obligations import overdue_count
from services.projection.views.summary import Status, Summary
from web import charts
from web.asof import parse_as_of
from web.pages import PAGE_ERRORS, STAGE_NAMES, page, signed_in, user_of
from web.timeline import sse_trigger
from web.value_board import value_section

STATUSES: tuple[str, ...] = get_args(Status)
RISKS: tuple[str, ...] = get_args(RiskClass)
PAGE = 20  # cards per column at first, and per "Show more"
MOST = 1000  # cards one column shows at most


class Filters(msgspec.Struct, kw_only=True):
    owner: str | None = None
    status: str | None = None
    risk_class: str | None = None
    q: str | None = None
    mine: bool = False  # only the initiatives the signed-in user owns or is on the team of
    sort: Sort = "updated"


class Card(msgspec.Struct, kw_only=True):
    id: str
    title: str
    owner: str
    stage: str
    status: str
    days: float
    readiness: int | None
    priority: float | None = None
    updated_at: datetime | None = None
    stale: bool = False
    owner_account: str | None = None  # None: the owner is a name without an account
    overdue: bool = False  # its gate review waits past its service level
    obligations_overdue: int = 0  # EU AI Act obligations past their deadline, not met


def card(s: Summary, stale_days: int, overdue: bool = False, now: datetime | None = None) -> Card:
    """`now`: the moment the board shows (its as_of, never after now)."""
    stale = s.status in LIVE and s.stage != "production" and s.time_in_stage_days > stale_days
    return Card(
        id=s.initiative_id,
        title=s.title,
        owner=s.owner,
        stage=s.stage,
        status=s.status,
        days=s.time_in_stage_days,
        readiness=s.readiness_percent,
        priority=s.priority,
        updated_at=s.updated_at,
        stale=stale,
        owner_account=s.owner_account,
        overdue=overdue,
        obligations_overdue=overdue_count(s, now or datetime.now(UTC)),
    )


def shown_of(query: Any) -> dict[str, int]:
    """How many cards each column shows: PAGE, or what "Show more" asked for."""
    out = {}
    for stage in STAGES:
        raw = str(query.get(f"show_{stage}", ""))
        out[stage] = min(max(int(raw), PAGE), MOST) if raw.isdigit() and len(raw) < 6 else PAGE
    return out


def filter_query(f: Filters, as_of: datetime | None, shown: dict[str, int]) -> dict[str, str]:
    """The board's state as query parameters (for links that keep it)."""
    given = {k: v for k, v in msgspec.to_builtins(f).items() if v and k not in ("mine",)}
    if f.mine:
        given["mine"] = "1"
    if as_of:
        given["as_of"] = as_of.strftime("%Y-%m-%dT%H:%M")
    given.update({f"show_{s}": str(n) for s, n in shown.items() if n != PAGE})
    return given


def export_url(f: Filters, as_of: datetime | None) -> str:
    """The CSV export of the same filtered initiatives, in the board's order."""
    given: dict[str, str] = {"format": "csv", "sort": f.sort}
    given.update({k: v for k in ("owner", "status", "risk_class", "q") if (v := getattr(f, k))})
    if f.mine:
        given["mine"] = "true"
    if as_of:
        given["as_of"] = as_of.isoformat()
    return "/api/v1/initiatives?" + urlencode(given)


def portfolio_charts(p: Portfolio) -> list[tuple[str, str]]:
    """(chart, caption) per chart: the funnel, conversion per gate, outcomes, cycle time."""
    reached = [
        (STAGE_NAMES[s], sum(p.per_stage.get(t, 0) for t in STAGES[i:]))
        for i, s in enumerate(STAGES)
    ]
    conversion = [(str(c.gate), (c.rate or 0.0) * 100) for c in p.conversion]
    passed = ", ".join(f"{c.gate} {c.passed} of {c.decided}" for c in p.conversion)
    statuses = [(s.replace("_", " "), float(p.per_status.get(s, 0))) for s in STATUSES]
    cycle = [(STAGE_NAMES[c.stage], c.median_days or 0.0) for c in p.cycle_times]
    return [
        (
            charts.funnel(reached, title="Funnel: initiatives that reached each stage"),
            f"{p.total} initiatives in all.",
        ),
        (
            charts.bar_chart(conversion, title="Conversion per gate", unit="%", max_value=100),
            f"Passed of decided: {passed}.",
        ),
        (
            charts.bar_chart(statuses, title=f"Status; kill rate {p.kill_rate * 100:.0f}%"),
            "Killed initiatives over all initiatives give the kill rate.",
        ),
        (
            charts.bar_chart(cycle, title="Median cycle time per stage", unit="d"),
            "Days from entering to leaving a stage (ongoing visits count until now).",
        ),
    ]


def parse_filters(given: dict[str, str | None], mine: str | None, sort: str | None) -> Filters:
    kept = {k: v.strip() for k, v in given.items() if v and v.strip()}
    chosen: Sort = next((s for s in SORTS if s == sort), "updated")
    return Filters(**kept, mine=bool(mine), sort=chosen)


class BoardPage(Controller):
    path = "/"
    guards = [signed_in]
    exception_handlers = PAGE_ERRORS
    include_in_schema = False

    @get("/", name="board")
    async def board(
        self,
        request: HTMXRequest,
        deps: NamedDependency[Deps],
        *,
        owner: FromQuery[str | None] = None,
        status: FromQuery[str | None] = None,
        risk_class: FromQuery[str | None] = None,
        q: FromQuery[str | None] = None,
        as_of: FromQuery[str | None] = None,
        mine: FromQuery[str | None] = None,
        sort: FromQuery[str | None] = None,
    ) -> Template:
        """The board page, or just the board and charts for an htmx request."""
        f = parse_filters(
            {"owner": owner, "status": status, "risk_class": risk_class, "q": q}, mine, sort
        )
        moment, as_of_error = parse_as_of(as_of)
        user = user_of(request)
        wanted = board.Filters(
            owner=f.owner,
            status=f.status,
            risk_class=f.risk_class,
            q=f.q,
            member=(user.name if user else "") if f.mine else None,
        )
        shown = shown_of(request.query_params)
        found = await board.columns(deps.reads, wanted, shown, f.sort, moment)
        stale_days = deps.settings.stale_days
        p = await board_figures.portfolio(deps.reads, wanted, stale_days=stale_days, as_of=moment)
        late = await inbox_store.overdue_reviews(deps.reads) if moment is None else {}
        shown_at = min(moment, datetime.now(UTC)) if moment else None
        cols = [
            (
                c.stage,
                [card(s, stale_days, s.initiative_id in late, shown_at) for s in c.cards],
                c.total,
            )
            for c in found
        ]
        more = {
            s: urlencode(filter_query(f, moment, {**shown, s: shown[s] + PAGE})) for s in STAGES
        }
        ctx: dict[str, Any] = {
            "columns": cols,
            "filters": f,
            "as_of": moment,
            "as_of_raw": as_of or "",
            "as_of_error": as_of_error,
            "charts": portfolio_charts(p),
            "statuses": STATUSES,
            "risks": RISKS,
            "sorts": SORT_NAMES,
            "portfolio": p,
            "state_trigger": sse_trigger(),
            "shown": sum(len(c[1]) for c in cols),
            "matching": sum(c[2] for c in cols),
            "show": shown,
            "page_size": PAGE,
            "more": more,
            "export": export_url(f, moment),
            "value": value_section(p),
        }
        template = "partials/board.html" if request.htmx else "board.html"
        return page(template, request, **ctx)
