"""The AI register page (PRODUCT.md 10): every system in pilot, MVP or production with its
purpose, risk class, the company's role and its open obligations; the inventory an auditor
asks for first. The same data as `GET /api/v1/ai-register` (JSON or CSV)."""

from __future__ import annotations

from datetime import UTC, datetime

from litestar import Controller, get
from litestar.di import NamedDependency
from litestar.plugins.htmx import HTMXRequest
from litestar.response import Template

from api.deps import Deps
from services.projection import obligations_queries
from web.pages import PAGE_ERRORS, page, signed_in


class AiRegisterPage(Controller):
    path = "/ai-register"
    guards = [signed_in]
    exception_handlers = PAGE_ERRORS
    include_in_schema = False

    @get("/", name="ai_register")
    async def register(self, request: HTMXRequest, deps: NamedDependency[Deps]) -> Template:
        """The register, open obligations first named, overdue ones marked."""
        now = datetime.now(UTC)
        entries = await obligations_queries.register(deps.reads, now)
        return page(
            "ai_register.html", request, entries=entries, now=now,
            open_total=sum(e.open for e in entries), overdue_total=sum(e.overdue for e in entries),
        )  # fmt: skip
