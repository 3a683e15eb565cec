"""A past gate decision replayed: the readiness checklist exactly as it stood when the
committee decided, the votes and the rationale; for a recycle, what changed since."""

from __future__ import annotations

from litestar import Controller, get
from litestar.di import NamedDependency
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.plugins.htmx import HTMXRequest
from litestar.response import Template

from api.deps import Deps, checked_id
from services.projection import queries
from web.pages import PAGE_ERRORS, page, signed_in


class DecisionPages(Controller):
    path = "/initiatives/{initiative_id:str}/decisions"
    guards = [signed_in]
    exception_handlers = PAGE_ERRORS
    include_in_schema = False

    @get("/{n:int}", name="decision")
    async def show(
        self,
        request: HTMXRequest,
        deps: NamedDependency[Deps],
        initiative_id: FromPath[str],
        n: FromPath[int],
    ) -> Template:
        """Decision `n` (1 = the first taken on the initiative) as the committee saw it."""
        replay = await queries.decision_replay(deps.reads, checked_id(initiative_id), n)
        if replay is None:
            raise NotFoundException(f"initiative {initiative_id} has no decision {n}")
        return page("decision.html", request, replay=replay)
