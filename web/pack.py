"""The committee pack: `GET /api/v1/initiatives/{id}/gate-pack`, the dossier for the gate
under review as a printable PDF (the default, `Accept: application/pdf` or `format=pdf`)
or as the same HTML with print styles (`format=html` or `Accept: text/html`).

It lives with the pages because it renders their templates and charts; its path is the
API's, so a token or a signed-in session reads it like any other GET of the API.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from litestar import Controller, Request, Response, get
from litestar.di import NamedDependency
from litestar.exceptions import NotFoundException
from litestar.openapi import ResponseSpec
from litestar.params import FromPath, QueryParameter

from api.auth import API_PREFIX, READERS, requires
from api.deps import Deps, checked_id
from services.projection import obligations_queries, queries
from web.pack_view import STAGE_NAMES, pack
from web.pdf import to_pdf

PackFormat = Literal["pdf", "html"]
FORMATS = {"pdf": "application/pdf", "html": "text/html"}
PDF_ANSWER = ResponseSpec(
    bytes,
    media_type="application/pdf",
    generate_examples=False,
    description="The pack as a PDF (A4), or as HTML with print styles (format=html)",
)


def chosen(request: Request[Any, Any, Any], given: PackFormat | None) -> PackFormat:
    """`format` decides; without it the Accept header (a PDF unless HTML is preferred)."""
    if given is not None:
        return given
    found = request.accept.best_match(list(FORMATS.values()), "application/pdf")
    return "html" if found == "text/html" else "pdf"


def render_html(request: Request[Any, Any, Any], **context: Any) -> str:
    engine = request.app.template_engine
    assert engine is not None, "the pack needs the pages' templates (web.app)"
    html: str = engine.get_template("pack.html").render(**context)
    return html


class GatePackController(Controller):
    path = f"{API_PREFIX}/initiatives"
    tags = ["initiatives"]

    @get(
        "/{initiative_id:str}/gate-pack",
        operation_id="getGatePack",
        guards=[requires(*READERS)],
        media_type="application/pdf",
        responses={200: PDF_ANSWER},
        opt={"alternatives": ("text/html",)},
    )
    async def gate_pack(
        self,
        request: Request[Any, Any, Any],
        deps: NamedDependency[Deps],
        initiative_id: FromPath[str],
        fmt: Annotated[
            PackFormat | None,
            QueryParameter(name="format", description="pdf (the default) or html"),
        ] = None,
    ) -> Response[bytes]:
        """The committee pack for the gate under review: title, gate, problem and goal,
        owner, sponsor and team, readiness (met and unmet, with evidence), KPIs with charts
        and their measurements, risk class with rationale and open incidents, open
        conditions, the votes so far and earlier decisions. A PDF by default; the same HTML
        with print styles with `format=html` or `Accept: text/html`. The risks include the
        EU AI Act obligations still open, overdue ones marked."""
        detail = await queries.get_initiative(deps.reads, checked_id(initiative_id))
        if detail is None:
            raise NotFoundException(f"no initiative {initiative_id}")
        now = datetime.now(UTC)
        content = pack(detail, now)
        ob = await obligations_queries.of_initiative(deps.reads, detail.summary.initiative_id, now)
        html = render_html(
            request, p=content, d=detail, s=detail.summary, stages=STAGE_NAMES, ob=ob
        )
        headers = {"Vary": "Accept"}
        if chosen(request, fmt) == "html":
            return Response(html.encode(), media_type="text/html; charset=utf-8", headers=headers)
        gate = content.purpose.gate or "dossier"
        name = f"committee-pack-{detail.summary.initiative_id}-{gate}.pdf"
        headers["Content-Disposition"] = f'inline; filename="{name}"'
        return Response(await to_pdf(html), media_type="application/pdf", headers=headers)
