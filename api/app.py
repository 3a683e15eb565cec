"""The Litestar app factory: /api/v1, /health, /metrics, OpenAPI at /schema, /static.

The pages (web/) join the same app through `extra_route_handlers`, `template_config` and
`plugins`; they authenticate with the session cookie (see api.auth), /api/v1 with tokens.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Sequence
from pathlib import Path
from typing import Any

from litestar import Litestar, Router
from litestar.config.csrf import CSRFConfig
from litestar.di import Provide
from litestar.middleware import DefineMiddleware
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import SwaggerRenderPlugin
from litestar.static_files import create_static_files_router
from litestar.template.config import TemplateConfig
from litestar.types import ControllerRouterHandler, ExceptionHandlersMap

from api.auth import API_PREFIX, AuthMiddleware
from api.broker import NatsBroker
from api.deps import Deps, provide_actor, provide_deps
from api.idempotency import IdempotencyMiddleware
from api.limits import MAX_BODY_BYTES, InputLimitsMiddleware
from api.metrics import metrics_middleware
from api.openapi import COMPONENTS, SECURITY, complete
from api.problems import HANDLERS
from api.read_cache import ReadCacheMiddleware
from api.routes.agents import AgentController, ApprovalController
from api.routes.business_case import BusinessCaseController
from api.routes.gates import GateController
from api.routes.ideation import IdeationController
from api.routes.inbox import InboxController
from api.routes.incidents import IncidentController
from api.routes.initiatives import InitiativeController
from api.routes.mvp import KpiController, MvpController
from api.routes.obligations import AiRegisterController, ObligationController
from api.routes.pilot import PilotController
from api.routes.poc import PocController
from api.routes.portfolio import PortfolioController
from api.routes.stream import StreamController
from api.routes.subscriptions import SubscriptionController
from api.routes.system import AsyncApiController, SystemController
from api.routes.trends import TrendController
from api.routes.users import TokenController, UserController
from api.screening import HeldForApproval, on_held
from api.token_cache import TokenCache
from infra import tracing
from infra.db import connect, create_pool
from infra.migrations import migrate
from infra.settings import Settings
from services.projection.watch import Watch

STATIC = Path(__file__).resolve().parent.parent / "web" / "static"
VENDOR = "/static/vendor"
API_HANDLERS: list[ControllerRouterHandler] = [
    InitiativeController, IdeationController, PocController, PilotController, MvpController,
    KpiController, GateController, PortfolioController, StreamController,
    SubscriptionController, AsyncApiController, UserController, TokenController,
    InboxController, IncidentController,
    TrendController,
    AgentController, ApprovalController,
    BusinessCaseController,
    ObligationController, AiRegisterController,
]  # fmt: skip


@contextlib.asynccontextmanager
async def running(app: Litestar, settings: Settings) -> AsyncIterator[None]:
    """Pools and broker for the lifetime of the app (webhooks run apart: api.webhooks.main).
    Two pools when the read models live in a database of their own: the API's tables in
    its database, the projection's read models (queries only) in the projection's."""
    own_url, reads_url = settings.database_url_for("api"), settings.database_url_for("projection")
    conn = await connect(own_url)
    try:
        await migrate(conn, "api", "api")
    finally:
        await conn.close()
    pool = await create_pool(own_url)
    reads = await create_pool(reads_url) if reads_url != own_url else None
    broker = NatsBroker(settings)
    await broker.connect()
    tokens, stop = TokenCache(pool, own_url, settings.token_cache_seconds), asyncio.Event()
    applied = Watch(reads or pool, reads_url)  # what the read models applied, by NOTIFY
    listening = asyncio.gather(tokens.run(stop), applied.run(stop))
    app.state.deps = Deps(settings=settings, pool=pool, broker=broker, read_pool=reads,
                          tokens=tokens)  # fmt: skip
    try:
        yield
    finally:
        stop.set()
        await listening
        await broker.close()
        await pool.close()
        if reads is not None:
            await reads.close()


def create_app(
    settings: Settings,
    deps: Deps | None = None,
    *,
    extra_route_handlers: Sequence[ControllerRouterHandler] = (),
    template_config: TemplateConfig[Any] | None = None,
    plugins: Sequence[Any] = (),
    extra_middleware: Sequence[Any] = (),
    exception_handlers: ExceptionHandlersMap | None = None,
    csrf: bool = False,
) -> Litestar:
    """The whole app. With `deps` (tests) nothing is connected or started in the background.
    `csrf=True` protects the pages' cookie-authenticated forms; /api/v1 is exempt because
    its writes need a Bearer token (cookies only authenticate API reads)."""

    @contextlib.asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        if deps is not None:
            app.state.deps = deps
            yield
            return
        async with running(app, settings):
            yield

    api = Router(path=API_PREFIX, route_handlers=API_HANDLERS)
    static = create_static_files_router(path="/static", directories=[STATIC], name="static")
    swagger = SwaggerRenderPlugin(
        js_url=f"{VENDOR}/swagger-ui-bundle.js", css_url=f"{VENDOR}/swagger-ui.css",
        standalone_preset_js_url=f"{VENDOR}/swagger-ui-standalone-preset.js",
    )  # fmt: skip
    app = Litestar(
        route_handlers=[api, SystemController, static, *extra_route_handlers],
        lifespan=[lifespan],
        dependencies={
            "deps": Provide(provide_deps, sync_to_thread=False),
            "actor": Provide(provide_actor, sync_to_thread=False),
        },
        middleware=[
            *tracing.asgi_middleware(),  # a span per request when tracing is on
            metrics_middleware,
            ReadCacheMiddleware,  # repeated reads while nothing changed: api.read_cache
            DefineMiddleware(AuthMiddleware, exclude=["^/schema", "^/static", "^/health"]),
            IdempotencyMiddleware,
            InputLimitsMiddleware,
            *extra_middleware,
        ],
        exception_handlers={**HANDLERS, HeldForApproval: on_held, **(exception_handlers or {})},
        openapi_config=OpenAPIConfig(
            title="Tollgate API",
            version="1.0.0",
            path="/schema",
            render_plugins=[swagger],
            components=COMPONENTS,
            security=SECURITY,
            use_handler_docstrings=True,
            description="Stage-gate tracking of AI initiatives. Errors are RFC 9457 problem "
            "details; send `Authorization: Bearer <token>`.",
        ),
        template_config=template_config,
        csrf_config=CSRFConfig(
            secret=settings.secret,
            cookie_name="csrftoken",
            header_name="x-csrftoken",
            exclude=[f"^{API_PREFIX}/"],
        )
        if csrf
        else None,
        plugins=list(plugins),
        request_max_body_size=MAX_BODY_BYTES,
        debug=False,
    )
    complete(app)  # the OpenAPI document: security, problem responses, Idempotency-Key
    return app
