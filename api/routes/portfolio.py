"""The portfolio (funnel, conversion, cycle times, kill rate, stale initiatives) and the
steering committee's review queue."""

from __future__ import annotations

from datetime import datetime

from litestar import Controller, get
from litestar.di import NamedDependency
from litestar.params import FromQuery

from api.auth import READERS, requires
from api.deps import Deps, caught_up
from api.read_cache import READ_CACHED
from api.routes.initiatives import MinPosition
from services.projection import board_figures, queries
from services.projection.board import Filters
from services.projection.models import Portfolio, ReviewItem


class PortfolioController(Controller):
    path = "/"
    tags = ["portfolio"]
    guards = [requires(*READERS)]

    @get("/portfolio", operation_id="getPortfolio", opt=READ_CACHED)
    async def portfolio(
        self,
        deps: NamedDependency[Deps],
        as_of: FromQuery[datetime | None] = None,
        min_position: MinPosition = None,
    ) -> Portfolio:
        """Funnel per stage, conversion per gate, cycle time per stage, kill rate and the
        initiatives stale for longer than the configured days; `value`: the business cases'
        invested cost, expected and realised value per stage and per sponsor (per currency),
        and the value-versus-effort points. `as_of` gives all of it as it was then."""
        await caught_up(deps, min_position)
        if as_of is None:  # computed once per read-model position, shared (board_figures);
            # without min_position the last figures answer while newer ones are computed
            return await board_figures.portfolio(
                deps.reads, Filters(), stale_days=deps.settings.stale_days,
                stale_ok=not min_position,
            )  # fmt: skip
        return await queries.portfolio(deps.reads, stale_days=deps.settings.stale_days, as_of=as_of)

    @get("/reviews", operation_id="getReviewQueue")
    async def reviews(
        self, deps: NamedDependency[Deps], min_position: MinPosition = None
    ) -> list[ReviewItem]:
        """Gate reviews waiting for the committee, oldest first, with readiness and votes."""
        await caught_up(deps, min_position)
        return await queries.review_queue(deps.reads)
