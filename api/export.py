"""The portfolio as CSV: `GET /initiatives` with `Accept: text/csv` (or `format=csv`) sends
every initiative the filters keep, in the list's order, a row each.

Cells are safe to open in a spreadsheet: text starting with =, +, -, @, a tab or a carriage
return would be read as a formula (CSV injection), so it gets a leading apostrophe, which
spreadsheets show as text. At most MOST rows are sent, read PAGE at a time.
"""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from datetime import UTC, datetime
from typing import Any

from litestar import Request, Response

from services.projection.models import InitiativePage
from services.projection.views.summary import Summary

MEDIA_TYPE = "text/csv"  # Litestar adds "; charset=utf-8" to a text/ type itself
PAGE = 200
MOST = 10_000
FORMULA = ("=", "+", "-", "@", "\t", "\r")
COLUMNS = (
    "id",
    "title",
    "stage",
    "status",
    "owner",
    "owner_account",
    "sponsor",
    "risk_class",
    "priority",
    "readiness_percent",
    "days_in_stage",
    "last_decision",
    "last_decision_at",
    "proposed_at",
    "updated_at",
    "tags",
    "kpi_breached",
)
Pages = Callable[[int, int], Awaitable[InitiativePage]]  # (limit, offset) -> one page


def wants_csv(request: Request[Any, Any, Any], chosen: str | None) -> bool:
    """`format` decides; without it the Accept header (JSON unless text/csv is preferred)."""
    if chosen is not None:
        return chosen == "csv"
    found = request.accept.best_match(["application/json", "text/csv"], "application/json")
    return found == "text/csv"


def cell(value: object) -> str:
    """One cell as text, neutralised when a spreadsheet would take it for a formula."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    if isinstance(value, bool):
        return "yes" if value else "no"
    text = f"{value:g}" if isinstance(value, float) else str(value)
    return "'" + text if text.startswith(FORMULA) else text


def row(s: Summary) -> list[str]:
    last = s.last_decision
    values: tuple[object, ...] = (
        s.initiative_id,
        s.title,
        s.stage,
        s.status,
        s.owner,
        s.owner_account,
        s.sponsor,
        s.risk_class,
        s.priority,
        s.readiness_percent,
        round(s.time_in_stage_days, 1),
        f"{last.gate} {last.decision}" if last else None,
        last.at if last else None,
        s.proposed_at,
        s.updated_at,
        "; ".join(s.tags),
        s.breached,
    )
    return [cell(v) for v in values]


def lines(rows: Iterable[list[str]]) -> bytes:
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(rows)
    return out.getvalue().encode()


async def rows_of(pages: Pages, size: int = PAGE) -> AsyncIterator[bytes]:
    """The header, then every initiative, `size` at a time."""
    yield lines([list(COLUMNS)])
    sent = 0
    while sent < MOST:
        page = await pages(min(size, MOST - sent), sent)
        yield lines(row(s) for s in page.items)
        sent += len(page.items)
        if len(page.items) < page.limit or sent >= page.total:
            return


async def csv_response(pages: Pages, now: datetime, size: int = PAGE) -> Response[bytes]:
    """The whole CSV in one body (at most MOST rows, a few MB): Litestar would label a
    streamed body with the route's JSON media type."""
    body = b"".join([chunk async for chunk in rows_of(pages, size)])
    name = f"tollgate-portfolio-{now:%Y-%m-%d}.csv"
    return Response(
        body,
        media_type=MEDIA_TYPE,
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
