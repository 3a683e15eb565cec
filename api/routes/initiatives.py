"""Initiatives: propose one, list them, read one (optionally as of a past time), its
timeline of CloudEvents and its readiness for the next gate; hand its ownership over."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any, Literal, cast

from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency
from litestar.exceptions import NotFoundException
from litestar.openapi import ResponseSpec
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter

from api import export
from api.auth import READERS, WORKERS, requires
from api.bodies import OwnerBody, ProposeIdeaBody, RefineIdeaBody
from api.deps import Deps, caught_up, checked_id
from api.dispatch import Accepted, new_initiative_id, record_at_current_stage, send
from api.export import csv_response, wants_csv
from api.people import new_owner, proposal, refinement
from api.read_cache import READ_CACHED
from events.base import Actor, Stage
from events.envelope import CloudEvent
from events.gates import RiskClass
from events.people import HandOverOwnership
from services.projection import queries
from services.projection.models import InitiativeDetail, InitiativePage, ReadinessView
from services.projection.ordering import SORT_NAMES, Sort

EventKind = Annotated[
    str | None,
    QueryParameter(
        name="type", description="an event's name (kpi_measured) or its CloudEvents type"
    ),
]
ListFormat = Literal["json", "csv"]
AS_CSV = "csv: the CSV export (as `Accept: text/csv`); json by default"
ORDERS = ", ".join(f"{key} ({name})" for key, name in SORT_NAMES.items())
MinPosition = Annotated[
    int | None,
    QueryParameter(ge=0, description="wait (up to 5 s) until the read models applied it"),
]


class InitiativeController(Controller):
    path = "/initiatives"
    tags = ["initiatives"]

    @post("/", operation_id="proposeIdea", status_code=201, guards=[requires(*WORKERS)])
    async def propose(
        self,
        deps: NamedDependency[Deps],
        actor: NamedDependency[Actor],
        data: JSONBody[ProposeIdeaBody],
    ) -> Accepted:
        """Propose an idea: starts a new initiative in ideation and returns its id. An owner
        or team member named by a user's name is that account; without an owner, the
        proposer owns it if they hold the owner role."""
        command = await proposal(deps.names, actor, new_initiative_id(), data)
        return await send(deps.broker, "ideation", command)

    @get(
        "/",
        operation_id="listInitiatives",
        guards=[requires(*READERS)],
        opt={**READ_CACHED, "alternatives": ("text/csv",)},
    )
    async def list_initiatives(
        self,
        *,
        request: Request[Any, Any, Any],
        deps: NamedDependency[Deps],
        actor: NamedDependency[Actor],
        stage: FromQuery[str | None] = None,
        status: FromQuery[str | None] = None,
        owner: FromQuery[str | None] = None,
        mine: FromQuery[bool] = False,
        risk_class: FromQuery[RiskClass | None] = None,
        q: FromQuery[str | None] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=200)] = 50,
        offset: Annotated[int, QueryParameter(ge=0)] = 0,
        as_of: FromQuery[datetime | None] = None,
        min_position: MinPosition = None,
        sort: Annotated[Sort, QueryParameter(description="the order: " + ORDERS)] = "updated",
        fmt: Annotated[ListFormat | None, QueryParameter(name="format", description=AS_CSV)] = None,
    ) -> InitiativePage:
        """The initiatives, filtered by stage, status, owner (an account or a name), risk
        class and free text, each with its readiness for the next gate; `mine=true` keeps
        those the caller owns or is a team member of; `as_of` (RFC 3339) lists them as they
        were then. With `Accept: text/csv` (or `format=csv`) every matching initiative as
        CSV, spreadsheet-safe (limit and offset do not apply)."""
        await caught_up(deps, min_position)
        member = actor.id if mine else None

        async def page(size: int, start: int) -> InitiativePage:
            return await queries.list_initiatives(
                deps.reads,
                stage=stage,
                status=status,
                owner=owner,
                risk_class=risk_class,
                q=q,
                limit=size,
                offset=start,
                as_of=as_of,
                member=member,
                sort=sort,
            )

        if wants_csv(request, fmt):  # Litestar sends a returned Response as it is
            whole = export.MOST if as_of else export.PAGE  # a past state is folded once
            return cast(InitiativePage, await csv_response(page, datetime.now(UTC), whole))
        return await page(limit, offset)

    @get("/{initiative_id:str}", operation_id="getInitiative", guards=[requires(*READERS)],
         opt=READ_CACHED)  # fmt: skip
    async def get_one(
        self,
        deps: NamedDependency[Deps],
        initiative_id: FromPath[str],
        as_of: FromQuery[datetime | None] = None,
        min_position: MinPosition = None,
    ) -> InitiativeDetail:
        """Stage, status, time in stage, gate history, KPIs and readiness; `as_of` (RFC 3339)
        gives the state at that time."""
        await caught_up(deps, min_position)
        found = await queries.get_initiative(deps.reads, checked_id(initiative_id), as_of=as_of)
        if found is None:
            raise NotFoundException(f"no initiative {initiative_id}")
        return found

    @get(
        "/{initiative_id:str}/events",
        operation_id="getTimeline",
        guards=[requires(*READERS)],
        responses={
            200: ResponseSpec(
                list[CloudEvent], generate_examples=False, description="CloudEvents, oldest first"
            )
        },
    )
    async def timeline(
        self,
        deps: NamedDependency[Deps],
        initiative_id: FromPath[str],
        *,
        min_position: MinPosition = None,
        stage: Annotated[
            Stage | None, QueryParameter(description="the stage that recorded it")
        ] = None,
        kind: EventKind = None,
        by: Annotated[
            str | None,
            QueryParameter(name="actor", description="who acted: a user name, or system"),
        ] = None,
    ) -> Response[bytes]:
        """The initiative's timeline: every event of every stage, as CloudEvents, oldest first;
        `stage`, `type` (an event's name such as kpi_measured, or its CloudEvents type) and
        `actor` keep only the matching events."""
        await caught_up(deps, min_position)
        iid = checked_id(initiative_id)
        events = await queries.timeline(deps.reads, iid, stage=stage, kind=kind, actor=by)
        if not events and not await queries.exists(deps.reads, iid):
            raise NotFoundException(f"no initiative {initiative_id}")
        return Response(b"[" + b",".join(events) + b"]", media_type="application/json")

    @get("/{initiative_id:str}/readiness", operation_id="getReadiness",
         guards=[requires(*READERS)], opt=READ_CACHED)  # fmt: skip
    async def readiness(
        self,
        deps: NamedDependency[Deps],
        initiative_id: FromPath[str],
        min_position: MinPosition = None,
    ) -> ReadinessView:
        """Must-meet criteria (met / unmet, with explanation and evidence) and the should-meet
        score for the initiative's next gate."""
        await caught_up(deps, min_position)
        found = await queries.readiness(deps.reads, checked_id(initiative_id))
        if found is None:
            raise NotFoundException(f"no initiative {initiative_id}")
        return found

    @post("/{initiative_id:str}/ideation/refinements", operation_id="refineIdea",
          status_code=201, guards=[requires(*WORKERS)])  # fmt: skip
    async def refine(
        self,
        deps: NamedDependency[Deps],
        actor: NamedDependency[Actor],
        initiative_id: FromPath[str],
        data: JSONBody[RefineIdeaBody],
    ) -> Accepted:
        """Refine the idea: only the fields given change. The owner is handed over instead
        (`POST /initiatives/{id}/owner`)."""
        command = await refinement(deps.names, actor, checked_id(initiative_id), data)
        return await send(deps.broker, "ideation", command, data.expected_version)

    @post(
        "/{initiative_id:str}/owner",
        operation_id="handOverOwnership",
        status_code=201,
        guards=[requires(*WORKERS, "committee")],
    )
    async def hand_over(
        self,
        deps: NamedDependency[Deps],
        actor: NamedDependency[Actor],
        initiative_id: FromPath[str],
        data: JSONBody[OwnerBody],
    ) -> Accepted:
        """Hand the initiative's ownership over (its owner, the committee or an admin): a
        user's name makes that account the owner, any other name is free text. Recorded by
        the stage that holds the initiative now; the previous owner loses its rights."""
        owner = await new_owner(deps.names, data.owner)
        return await record_at_current_stage(
            deps.broker,
            actor,
            initiative_id,
            command_type=HandOverOwnership,
            body=data,
            owner=owner.name,
            owner_account=owner.account,
        )
