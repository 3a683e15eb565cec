"""What every page shares: the signed-in user, rendering, and how errors become pages.

Pages authenticate with the session cookie (api.auth.AuthMiddleware puts the user, or
None, in the scope). A page without a user redirects to the sign-in page; a refused role
renders a 403 page rather than the API's problem JSON.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

from litestar import Request, Response
from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException, NotFoundException, PermissionDeniedException
from litestar.handlers.base import BaseRouteHandler
from litestar.plugins.htmx import ClientRedirect, HTMXRequest
from litestar.response import Redirect, Template
from litestar.types import ExceptionHandlersMap
from markupsafe import Markup

from api.deps import Deps
from api.idempotency import FORM_FIELD, IdempotencyError
from api.problems import RETRY_AFTER, on_unexpected
from api.users import User
from events.base import Role
from infra.commands import ServiceUnavailable
from infra.db import DATABASE_ERRORS, is_unavailable, is_unstorable_text
from services.projection import queries

VARY = {"Vary": "HX-Request, HX-Target"}
READ_WAIT = 5.0
STAGE_NAMES = {"ideation": "Ideation", "poc": "PoC", "pilot": "Pilot", "mvp": "MVP",
               "production": "Production"}  # fmt: skip


def user_of(connection: ASGIConnection[Any, Any, Any, Any]) -> User | None:
    user = connection.scope.get("user")
    return user if isinstance(user, User) else None


def signed_in(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    """Guard: pages need a signed-in person or agent."""
    if user_of(connection) is None:
        raise NotAuthorizedException("sign in first")


def may(user: User | None, roles: tuple[Role, ...]) -> bool:
    return user is not None and user.role in roles


def page(
    template: str, request: Request[Any, Any, Any], status_code: int = 200,
    headers: dict[str, str] | None = None, **context: Any,
) -> Template:  # fmt: skip
    """A template with the user and the current path; `Vary` since fragments share URLs."""
    context.setdefault("user", user_of(request))
    context.setdefault("path", request.url.path)
    context.setdefault("stage_names", STAGE_NAMES)
    return Template(template_name=template, context=context, status_code=status_code,
                    headers={**VARY, **(headers or {})})  # fmt: skip


async def read_own_write(deps: Deps, position: int | None) -> None:
    """Wait (bounded) until the read models show a command's effect before rendering."""
    if position:
        await queries.wait_for_position(deps.reads, position, READ_WAIT)


def _is_htmx(request: Request[Any, Any, Any]) -> bool:
    return isinstance(request, HTMXRequest) and bool(request.htmx)


def on_not_signed_in(request: Request[Any, Any, Any], _: NotAuthorizedException) -> Response[Any]:
    target = "/signin?next=" + quote(request.url.path, safe="/")
    if _is_htmx(request):
        return ClientRedirect(redirect_to=target)
    return Redirect(path=target, status_code=303)


def on_refused(request: Request[Any, Any, Any], exc: PermissionDeniedException) -> Template:
    if "CSRF" in str(exc.detail):  # the form's token is missing, stale or forged
        detail = "This form has expired or was sent from elsewhere. Reload the page and try again."
        return page("error.html", request, 403, title="Form expired", detail=detail)
    return page("error.html", request, 403, title="Not allowed", detail=str(exc.detail))


def on_not_found(request: Request[Any, Any, Any], exc: NotFoundException) -> Template:
    return page("error.html", request, 404, title="Not found", detail=str(exc.detail))


def on_unavailable(request: Request[Any, Any, Any], exc: ServiceUnavailable) -> Template:
    """A timed-out command may still land: the form's Idempotency-Key makes resending safe."""
    if getattr(exc, "maybe_applied", False):
        detail = (
            f"{exc}. It may still have been recorded. Sending the same form again is safe: it"
            " is never recorded twice."
        )
    else:
        detail = f"{exc}. Nothing was recorded; try again shortly."
    return page("error.html", request, 503, RETRY_AFTER, title="Service unavailable", detail=detail)


def on_idempotency(request: Request[Any, Any, Any], exc: IdempotencyError) -> Template:
    """A form sent twice with other values, still being sent, or with a damaged key."""
    details = {
        409: "This form is still being sent. Wait a moment, then reload the page.",
        422: "This form was already sent with other values. Reload the page to send new ones.",
    }
    detail = details.get(exc.status_code, "This form is damaged. Reload the page and try again.")
    return page("error.html", request, exc.status_code, title="Form already sent", detail=detail)


def idempotency_input(_: Mapping[str, Any]) -> Markup:
    """A hidden field with a fresh Idempotency-Key: each rendering of a form gets its own, so
    sending the same rendered form twice records it once (api.idempotency)."""
    return Markup(f'<input type="hidden" name="{FORM_FIELD}" value="{uuid.uuid4()}">')


def on_database_error(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    """A page saying so when the database cannot be reached, or could not store a NUL that
    slipped past the forms' own checks; other errors stay unexpected."""
    if is_unstorable_text(exc):
        detail = "The form held a NUL character, which cannot be stored. Remove it and try again."
        return page("error.html", request, 422, title="Invalid input", detail=detail)
    if not is_unavailable(exc):
        return on_unexpected(request, exc)
    detail = (
        "The database cannot be reached right now, so nothing was changed. Try again in a moment."
    )
    return page("error.html", request, 503, RETRY_AFTER, title="Service unavailable", detail=detail)


UNREACHABLE: ExceptionHandlersMap = dict.fromkeys(DATABASE_ERRORS, on_database_error)
PAGE_ERRORS: ExceptionHandlersMap = {
    **UNREACHABLE,
    NotAuthorizedException: on_not_signed_in,
    PermissionDeniedException: on_refused,
    NotFoundException: on_not_found,
    ServiceUnavailable: on_unavailable,
}
