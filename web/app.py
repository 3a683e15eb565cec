"""The whole Tollgate app: the API (api.app.create_app) plus the pages, their templates,
the htmx plugin and CSRF protection for every cookie-session form."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from litestar import Litestar, Request, Response
from litestar.config.app import AppConfig
from litestar.config.csrf import CSRFConfig
from litestar.exceptions import PermissionDeniedException
from litestar.plugins import InitPluginProtocol
from litestar.plugins.htmx import HTMXPlugin
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.template.config import TemplateConfig
from litestar.types import ControllerRouterHandler

from api.app import create_app
from api.auth import API_PREFIX
from api.deps import Deps
from api.idempotency import IdempotencyError
from api.problems import on_http
from events.wording import DOCUMENT_NAMES, number
from infra.settings import Settings
from web.agents import AgentPages
from web.ai_register import AiRegisterPage
from web.board import BoardPage
from web.decisions import DecisionPages
from web.inbox import InboxPage
from web.incidents import IncidentPosts
from web.initiative import InitiativePage
from web.pack import GatePackController
from web.pages import idempotency_input, on_idempotency, on_refused
from web.profile import ProfilePage
from web.propose import ProposePage
from web.radar import InitiativeTrends, RadarPage
from web.reviews import ReviewPages
from web.session import SessionPages
from web.value_board import case_bars, money, stage_name
from web.work import WorkPosts

TEMPLATES = Path(__file__).resolve().parent / "templates"
PAGES: list[ControllerRouterHandler] = [
    SessionPages, BoardPage, InitiativePage, WorkPosts, ProposePage, ReviewPages, ProfilePage,
    GatePackController, RadarPage, InitiativeTrends,
    DecisionPages, InboxPage, IncidentPosts, AgentPages, AiRegisterPage,
]  # fmt: skip


class CsrfPlugin(InitPluginProtocol):
    """CSRF on everything but the bearer-token API (whose writes refuse session cookies)."""

    def __init__(self, secret: str, secure: bool = False) -> None:
        self.config = CSRFConfig(
            secret=secret,
            cookie_name="csrftoken",
            header_name="x-csrftoken",
            cookie_samesite="lax",
            cookie_secure=secure,
            exclude=[f"^{API_PREFIX}/"],
        )

    def on_app_init(self, app_config: AppConfig) -> AppConfig:
        app_config.csrf_config = self.config
        return app_config


def create_web_app(settings: Settings, deps: Deps | None = None) -> Litestar:
    """The API and the pages in one app; with `deps` nothing is connected (tests)."""
    return create_app(
        settings, deps, extra_route_handlers=PAGES,
        template_config=TemplateConfig(
            directory=TEMPLATES, engine=JinjaTemplateEngine, engine_callback=form_callables
        ),
        plugins=[HTMXPlugin(), CsrfPlugin(settings.secret, settings.secure_cookies)],
        exception_handlers={
            PermissionDeniedException: on_forbidden, IdempotencyError: on_form_sent,
        },
    )  # fmt: skip


def form_callables(engine: JinjaTemplateEngine) -> None:
    """`{{ idempotency_input() }}` in every form that posts; figures and document kinds
    written as readiness writes them (`|number`: 4 not 4.0)."""
    engine.register_template_callable("idempotency_input", idempotency_input)
    engine.engine.filters["number"] = number
    engine.engine.globals["document_names"] = DOCUMENT_NAMES
    engine.engine.filters["money"] = money  # business-case amounts: 1.2M EUR
    engine.engine.globals["stage_name"] = stage_name
    engine.engine.globals["case_bars"] = case_bars


def on_forbidden(request: Request[Any, Any, Any], exc: PermissionDeniedException) -> Response[Any]:
    """Refusals before any route (the CSRF check): a page for the pages, a problem for the API."""
    if request.url.path.startswith(API_PREFIX):
        return on_http(request, exc)
    return on_refused(request, exc)


def on_form_sent(request: Request[Any, Any, Any], exc: IdempotencyError) -> Response[Any]:
    """An Idempotency-Key that cannot be honoured: a page for the pages, a problem for the API."""
    if request.url.path.startswith(API_PREFIX):
        return on_http(request, exc)
    return on_idempotency(request, exc)
