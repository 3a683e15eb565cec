"""EU AI Act (PRODUCT.md 10): an initiative's obligations, the company's role for the system,
an obligation's status, and the AI register (JSON, or CSV with `Accept: text/csv`)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any, cast

from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter

from api import export
from api.auth import READERS, WORKERS, requires
from api.bodies import Body
from api.deps import Deps, caught_up, checked_id
from api.dispatch import Accepted, record_at_current_stage
from api.routes.initiatives import AS_CSV, ListFormat, MinPosition
from events.base import Actor
from events.compliance import (
    CompanyRole,
    Evidence,
    ObligationState,
    Reason,
    RecordAiRole,
    RecordObligationStatus,
    RoleSwitch,
)
from services.projection import obligations_queries
from services.projection.views.obligations import Obligations

REGISTER_COLUMNS = (
    "id", "title", "stage", "status", "purpose", "goal", "risk_class", "role", "role_recorded",
    "open_obligations", "overdue_obligations", "open_list", "obligations_version",
)  # fmt: skip


class RoleBody(Body, kw_only=True, forbid_unknown_fields=True):
    """`switch`: the Art. 25 ground on which the company became the provider (own_name,
    substantial_modification, high_risk_purpose); only with role provider."""

    role: CompanyRole
    reason: Reason
    switch: RoleSwitch | None = None


class ObligationStatusBody(Body, kw_only=True, forbid_unknown_fields=True):
    """`met` needs the evidence (a link or a sentence)."""

    status: ObligationState
    evidence: Evidence = ""


class ObligationController(Controller):
    path = "/initiatives/{initiative_id:str}"
    tags = ["ai-act"]

    @get("/obligations", operation_id="getObligations", guards=[requires(*READERS)])
    async def obligations(
        self, deps: NamedDependency[Deps], initiative_id: FromPath[str],
        as_of: FromQuery[datetime | None] = None, min_position: MinPosition = None,
    ) -> Obligations:  # fmt: skip
        """The initiative's EU AI Act obligations for its risk class and the company's role:
        each with its article, who bears it, status and evidence, the date the law applies it
        from (and whether it does today), the deadline where the law sets one from recorded
        facts (a serious incident's Art. 73 report), and whether it is overdue; `as_of`
        (RFC 3339) as they stood then, under today's version of the law."""
        await caught_up(deps, min_position)
        iid, now = checked_id(initiative_id), datetime.now(UTC)
        found = await obligations_queries.of_initiative(deps.reads, iid, now, as_of)
        if found is None:
            raise NotFoundException(
                f"no initiative {initiative_id}" + " at that time" * bool(as_of)
            )
        return found

    @post("/role", operation_id="recordAiRole", status_code=201, guards=[requires(*WORKERS)])
    async def role(
        self, deps: NamedDependency[Deps], actor: NamedDependency[Actor],
        initiative_id: FromPath[str], data: JSONBody[RoleBody],
    ) -> Accepted:  # fmt: skip
        """Record whether the company is the provider or a deployer of the system, and why;
        the obligations follow. Recorded by the stage that holds the initiative now."""
        return await record_at_current_stage(
            deps.broker, actor, initiative_id, command_type=RecordAiRole, body=data
        )

    @post("/obligations/{obligation_id:str}", operation_id="recordObligationStatus",
          status_code=201, guards=[requires(*WORKERS)])  # fmt: skip
    async def status(
        self, deps: NamedDependency[Deps], actor: NamedDependency[Actor],
        initiative_id: FromPath[str], obligation_id: FromPath[str],
        data: JSONBody[ObligationStatusBody],
    ) -> Accepted:  # fmt: skip
        """Mark one of the initiative's obligations open, in progress or met (met needs the
        evidence). An obligation the initiative does not have is a 404 naming those it has."""
        return await record_at_current_stage(
            deps.broker, actor, initiative_id, command_type=RecordObligationStatus, body=data,
            obligation_id=checked_id(obligation_id, "obligation"),
        )  # fmt: skip


class AiRegisterController(Controller):
    path = "/ai-register"
    tags = ["ai-act"]

    @get(
        "/",
        operation_id="getAiRegister",
        guards=[requires(*READERS)],
        opt={"alternatives": ("text/csv",)},
    )
    async def register(
        self,
        request: Request[Any, Any, Any],
        deps: NamedDependency[Deps],
        fmt: Annotated[ListFormat | None, QueryParameter(name="format", description=AS_CSV)] = None,
        as_of: FromQuery[datetime | None] = None,
        min_position: MinPosition = None,
    ) -> list[Obligations]:
        """The AI register: every initiative in pilot, MVP or production (not killed) with
        its purpose and goal, risk class, the company's role and its open obligations, by
        title; `as_of` (RFC 3339) as it stood then. CSV with `Accept: text/csv` or
        `format=csv`, spreadsheet-safe."""
        await caught_up(deps, min_position)
        now = datetime.now(UTC)
        found = await obligations_queries.register(deps.reads, now, as_of)
        if not export.wants_csv(request, fmt):
            return found
        body = export.lines([list(REGISTER_COLUMNS), *(_line(o) for o in found)])
        disposition = f'attachment; filename="tollgate-ai-register-{now:%Y-%m-%d}.csv"'
        csv = Response(body, media_type=export.MEDIA_TYPE,
                       headers={"Content-Disposition": disposition})  # fmt: skip
        return cast(list[Obligations], csv)  # Litestar sends a returned Response as it is


def _line(o: Obligations) -> list[str]:
    open_list = "; ".join(
        f"{d.title} (Art. {d.article})" for d in o.obligations if d.status != "met"
    )
    values: tuple[object, ...] = (
        o.initiative_id, o.title, o.stage, o.status, o.purpose, o.goal, o.risk_class, o.role,
        o.role_recorded, o.open, o.overdue, open_list, o.version,
    )  # fmt: skip
    return [export.cell(v) for v in values]
