"""The trend radar page: an SVG of four rings and four quadrants, one numbered dot per
trend; a dot opens the trend (its initiatives and ring history) beside the radar; "as of"
redraws the radar as it stood; the list under it says the same for phones and screen
readers; forms add a trend, move one with a rationale and link it to an initiative."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from litestar import Controller, Response, get, post
from litestar.di import NamedDependency
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, FromQuery
from litestar.plugins.htmx import HTMXRequest
from litestar.response import Redirect, Template

from api.auth import current_user
from api.deps import Deps, checked_id
from api.problems import CommandFailedError
from events.trends import QUADRANTS, RINGS
from services.projection import queries, trends_queries
from web.asof import parse_as_of
from web.forms import Parsed, parse
from web.pages import PAGE_ERRORS, may, page, read_own_write, signed_in
from web.radar_forms import ADD, LINK, MOVE, SPECS
from web.radar_layout import ANGLES, CENTER, DOT, RING_BANDS, SIZE, layout
from web.work import form_values, refusal

RECENT = timedelta(days=90)  # a move this recent is marked on its dot
GEOMETRY = {"size": SIZE, "center": CENTER, "dot": DOT, "rings": RING_BANDS, "angles": ANGLES}


def last_quarter(today: date) -> date:
    """The last day of the calendar quarter before the one `today` is in."""
    first = date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
    return first - timedelta(days=1)


async def radar_page(
    request: HTMXRequest, deps: Deps, *, as_of_raw: str | None = None,
    trend_id: str | None = None, forms: dict[str, Parsed] | None = None,
    flash: tuple[str, str] | None = None,
) -> Template:  # fmt: skip
    """The whole page, or only the trend panel for an htmx request from a dot."""
    as_of, as_of_error = parse_as_of(as_of_raw)
    trends = await trends_queries.list_trends(deps.reads, as_of=as_of)
    selected = None
    if trend_id is not None:
        selected = await trends_queries.get_trend(deps.reads, checked_id(trend_id, "trend"), as_of)
        if selected is None:
            raise NotFoundException(f"no trend {trend_id} on the radar{' then' if as_of else ''}")
    user = current_user(request)
    linkable = selected is not None and as_of is None and may(user, LINK.roles)
    panel_only = bool(request.htmx) and request.headers.get("hx-target") == "trend-panel"
    return page(
        "partials/trend_panel.html" if panel_only else "radar.html", request,
        dots=layout(trends), geometry=GEOMETRY, quadrants=QUADRANTS, rings=RINGS,
        selected=selected, as_of=as_of, as_of_error=as_of_error, flash=flash,
        last_quarter=last_quarter(datetime.now(UTC).date()), forms=forms or {},
        recent_since=(as_of or datetime.now(UTC)) - RECENT,
        specs=SPECS, may_edit=may(user, ADD.roles), may_move=may(user, MOVE.roles),
        choices={"initiative_id": await _initiatives(deps) if linkable else []},
        query=f"?as_of={as_of.date().isoformat()}" if as_of else "",
    )  # fmt: skip


async def _initiatives(deps: Deps) -> list[tuple[str, str]]:
    """What the link form offers: the initiatives by id and title, newest activity first."""
    found = await queries.list_initiatives(deps.reads, limit=200)
    return [(i.initiative_id, i.title) for i in found.items]


class RadarPage(Controller):
    path = "/radar"
    guards = [signed_in]
    exception_handlers = PAGE_ERRORS
    include_in_schema = False

    @get("/", name="radar")
    async def show(
        self, request: HTMXRequest, deps: NamedDependency[Deps],
        as_of: FromQuery[str | None] = None,
    ) -> Template:  # fmt: skip
        """The radar now, or as it stood at the end of the day `as_of`."""
        return await radar_page(request, deps, as_of_raw=as_of)

    @get("/trends/{trend_id:str}", name="radar_trend")
    async def trend(
        self, request: HTMXRequest, deps: NamedDependency[Deps], trend_id: FromPath[str],
        as_of: FromQuery[str | None] = None,
    ) -> Template:  # fmt: skip
        """The radar with one trend opened (only the panel for a dot's htmx request)."""
        return await radar_page(request, deps, as_of_raw=as_of, trend_id=trend_id)

    @post("/trends", name="radar_add", status_code=200)
    async def add(self, request: HTMXRequest, deps: NamedDependency[Deps]) -> Response[Any]:
        """Add a trend; errors re-render the page with the form and its messages."""
        return await self._submit(request, deps, ADD.key, "")

    @post("/trends/{trend_id:str}/{key:str}", name="radar_work", status_code=200)
    async def work(
        self, request: HTMXRequest, deps: NamedDependency[Deps], trend_id: FromPath[str],
        key: FromPath[str],
    ) -> Response[Any]:  # fmt: skip
        """Move the trend (`moves`) or link it to an initiative (`links`)."""
        if key not in ("moves", "links"):
            raise NotFoundException(f"no form {key[:40]!r} for a trend")
        spec_key = MOVE.key if key == "moves" else LINK.key
        return await self._submit(request, deps, spec_key, checked_id(trend_id, "trend"))

    async def _submit(
        self, request: HTMXRequest, deps: Deps, key: str, trend_id: str
    ) -> Response[Any]:
        spec = SPECS[key]
        user = current_user(request)
        if not may(user, spec.roles):
            flash = ("error", f"Your role ({user.role}) may not {spec.title.lower()}.")
            return await radar_page(request, deps, trend_id=trend_id or None, flash=flash)
        parsed = parse(spec, await form_values(request))
        refused: tuple[str, str] | None = None
        if parsed.body is not None:
            try:
                done = await spec.send(deps, user.actor, trend_id, parsed.body, {})
            except CommandFailedError as exc:
                refused = ("error", refusal(exc))
            else:
                await read_own_write(deps, done.position)
                return Redirect(path=f"/radar/trends/{done.id}", status_code=303)
        return await radar_page(
            request, deps, trend_id=trend_id or None, forms={key: parsed}, flash=refused
        )


class InitiativeTrends(Controller):
    """The dossier's small radar section, loaded by the initiative page."""

    path = "/radar/initiatives"
    guards = [signed_in]
    exception_handlers = PAGE_ERRORS
    include_in_schema = False

    @get("/{initiative_id:str}", name="initiative_trends")
    async def show(
        self, request: HTMXRequest, deps: NamedDependency[Deps], initiative_id: FromPath[str]
    ) -> Template:
        """The trends linked to an initiative, each with its ring and a link to the radar."""
        found = await trends_queries.of_initiative(deps.reads, checked_id(initiative_id))
        return page("partials/initiative_trends_list.html", request, trends=found)
