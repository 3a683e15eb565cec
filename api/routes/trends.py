"""The trend radar (PRODUCT.md section 11): list and read trends (also as they stood at a
past time), add and edit them, move them between rings with a rationale, link them to the
initiatives they affect. Commands go to the `trends` service; reads come from the
projection's radar view."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

import msgspec
from litestar import Controller, delete, get, patch, post
from litestar.di import NamedDependency
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter

from api.auth import READERS, requires
from api.deps import Deps, caught_up, checked_id
from api.dispatch import Accepted, new_id, send
from api.problems import CommandFailedError
from api.routes.initiatives import MinPosition
from api.trend_bodies import AddTrendBody, EditTrendBody, LinkBody, MoveBody
from events import trends
from events.base import Actor
from events.replies import Problem
from events.trends import Quadrant, Ring
from services.projection import trends_queries
from services.projection.trends_queries import TrendDetail
from services.projection.views.trend import Trend

# who may send each command; the trends service decides the finer rules (agents, owners)
EDITORS = requires("contributor", "owner", "committee", "admin")
MOVERS = requires("contributor", "committee", "admin")
Search = Annotated[str | None, QueryParameter(max_length=200, description="name or text")]


class TrendList(msgspec.Struct, frozen=True, kw_only=True):
    items: list[Trend]
    total: int
    as_of: datetime | None = None


def _now() -> datetime:
    return datetime.now(UTC)


async def _send(deps: Deps, command: trends.TrendCommand, expected: int | None) -> Accepted:
    return await send(deps.broker, "trends", command, expected)


async def add_trend(deps: Deps, actor: Actor, data: AddTrendBody) -> Accepted:
    fields = msgspec.structs.asdict(data)
    trend_id = fields.pop("trend_id") or new_id("trend")
    command = trends.AddTrend(trend_id=trend_id, at=_now(), actor=actor, **fields)
    return await _send(deps, command, None)


async def move_trend(deps: Deps, actor: Actor, trend_id: str, data: MoveBody) -> Accepted:
    command = trends.MoveTrend(
        trend_id=checked_id(trend_id, "trend"), at=_now(), actor=actor, ring=data.ring,
        rationale=data.rationale,
    )  # fmt: skip
    return await _send(deps, command, data.expected_version)


async def link_trend(deps: Deps, actor: Actor, trend_id: str, data: LinkBody) -> Accepted:
    """The initiative must be in the read models: the trends service reads no stage's store."""
    await caught_up(deps, data.min_position)
    if not await trends_queries.initiative_exists(deps.reads, data.initiative_id):
        raise CommandFailedError(Problem(code="invalid", detail=(
            f"no initiative {data.initiative_id}: link a trend to an initiative that exists"
        )))  # fmt: skip
    command = trends.LinkTrend(trend_id=checked_id(trend_id, "trend"), at=_now(),
                               actor=actor, initiative_id=data.initiative_id)  # fmt: skip
    return await _send(deps, command, data.expected_version)


class TrendController(Controller):
    path = "/trends"
    tags = ["trends"]

    @get("/", operation_id="listTrends", guards=[requires(*READERS)])
    async def list_trends(
        self,
        *,
        deps: NamedDependency[Deps],
        ring: FromQuery[Ring | None] = None,
        quadrant: FromQuery[Quadrant | None] = None,
        q: Search = None,
        as_of: FromQuery[datetime | None] = None,
        min_position: MinPosition = None,
    ) -> TrendList:
        """The radar: every trend with its quadrant and ring, filtered by ring, quadrant and
        free text; `as_of` (RFC 3339) gives the radar as it stood then (last quarter, say)."""
        await caught_up(deps, min_position)
        found = await trends_queries.list_trends(
            deps.reads, ring=ring, quadrant=quadrant, q=q, as_of=as_of
        )
        return TrendList(items=found, total=len(found), as_of=as_of)

    @get("/{trend_id:str}", operation_id="getTrend", guards=[requires(*READERS)])
    async def get_one(
        self,
        deps: NamedDependency[Deps],
        trend_id: FromPath[str],
        as_of: FromQuery[datetime | None] = None,
        min_position: MinPosition = None,
    ) -> TrendDetail:
        """A trend with its ring moves (each with its rationale, oldest first) and the
        initiatives it affects (title, stage, status); `as_of` as it stood then."""
        await caught_up(deps, min_position)
        found = await trends_queries.get_trend(deps.reads, checked_id(trend_id, "trend"), as_of)
        if found is None:
            raise NotFoundException(f"no trend {trend_id}")
        return found

    @post("/", operation_id="addTrend", status_code=201, guards=[EDITORS])
    async def add(
        self, deps: NamedDependency[Deps], actor: NamedDependency[Actor],
        data: JSONBody[AddTrendBody],
    ) -> Accepted:  # fmt: skip
        """Add a trend to the radar (contributor, owner, committee, admin; an AI agent only
        into `assess`). Returns its id."""
        return await add_trend(deps, actor, data)

    @patch("/{trend_id:str}", operation_id="editTrend", guards=[EDITORS])
    async def edit(
        self, deps: NamedDependency[Deps], actor: NamedDependency[Actor],
        trend_id: FromPath[str], data: JSONBody[EditTrendBody],
    ) -> Accepted:  # fmt: skip
        """Edit a trend's name, description, quadrant, maturity, risks or dependencies: only
        the fields given change. Its ring changes only by a move."""
        fields = {k: v for k, v in msgspec.structs.asdict(data).items() if v is not None}
        expected = fields.pop("expected_version", None)
        command = trends.EditTrend(trend_id=checked_id(trend_id, "trend"), at=_now(),
                                   actor=actor, **fields)  # fmt: skip
        return await _send(deps, command, expected)

    @post("/{trend_id:str}/moves", operation_id="moveTrend", status_code=201, guards=[MOVERS])
    async def move(
        self, deps: NamedDependency[Deps], actor: NamedDependency[Actor],
        trend_id: FromPath[str], data: JSONBody[MoveBody],
    ) -> Accepted:  # fmt: skip
        """Move a trend to another ring with a rationale (contributor, committee, admin; a
        person, never an AI agent). A move to its current ring changes nothing."""
        return await move_trend(deps, actor, trend_id, data)

    @post("/{trend_id:str}/links", operation_id="linkTrend", status_code=201, guards=[EDITORS])
    async def link(
        self, deps: NamedDependency[Deps], actor: NamedDependency[Actor],
        trend_id: FromPath[str], data: JSONBody[LinkBody],
    ) -> Accepted:  # fmt: skip
        """Link the trend to an initiative it affects; the initiative must exist (422
        otherwise). Linking it twice changes nothing."""
        return await link_trend(deps, actor, trend_id, data)

    @delete(
        "/{trend_id:str}/links/{initiative_id:str}", operation_id="unlinkTrend",
        status_code=200, guards=[EDITORS],
    )  # fmt: skip
    async def unlink(
        self, deps: NamedDependency[Deps], actor: NamedDependency[Actor],
        trend_id: FromPath[str], initiative_id: FromPath[str],
        expected_version: Annotated[int | None, QueryParameter(ge=0)] = None,
    ) -> Accepted:  # fmt: skip
        """Unlink the trend from an initiative; one that is not linked changes nothing."""
        command = trends.UnlinkTrend(
            trend_id=checked_id(trend_id, "trend"), at=_now(), actor=actor,
            initiative_id=checked_id(initiative_id),
        )  # fmt: skip
        return await _send(deps, command, expected_version)
