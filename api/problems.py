"""RFC 9457 problem details for every error the API returns.

Status codes:
- 400: malformed JSON, a missing body, a bad query or path parameter;
- 422: a well-formed body whose fields are invalid (`field` names the first one,
  msgspec reports only the first), or a command the service found invalid;
- 401 / 403: no valid token / the role or actor kind may not do this;
- 404: unknown initiative, record or route;
- 409: a refused command (the rule in `detail`, unmet gate criteria in `unmet`)
  or a stale `expected_version` (`current_version` names the current one);
- 503: a stage service or the read models did not answer in time, or the database is
  unreachable; with `Retry-After`.
"""

from __future__ import annotations

import logging
import re
from typing import Any

import msgspec
from litestar import Request, Response
from litestar.exceptions import HTTPException, ValidationException
from litestar.types import ExceptionHandlersMap

from api.idempotency_context import CURRENT
from events.errors import NUL_MESSAGE
from events.replies import Problem
from infra.commands import ServiceUnavailable
from infra.db import DATABASE_ERRORS, is_unavailable, is_unstorable_text

log = logging.getLogger(__name__)
PROBLEM_JSON = "application/problem+json"
TITLES = {
    400: "Bad request", 401: "Not authenticated", 403: "Forbidden", 404: "Not found",
    405: "Method not allowed", 409: "Conflict", 413: "Content too large", 422: "Invalid input",
    500: "Internal error", 503: "Service unavailable",
}  # fmt: skip
STATUS_OF_CODE = {"refused": 409, "conflict": 409, "not_found": 404, "forbidden": 403,
                  "invalid": 422}  # fmt: skip
_FIELD_IN_MESSAGE = re.compile(r"field `([^`]+)`")
RETRY_AFTER = {"Retry-After": "2"}  # seconds; an outage of the database or a service


class ProblemBody(msgspec.Struct, kw_only=True, omit_defaults=True):
    type: str
    title: str
    status: int
    detail: str
    field: str | None = None
    unmet: list[str] = []
    current_version: int | None = None


class CommandFailedError(Exception):
    """A stage service answered with an error: carries its Problem."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(problem.detail)
        self.problem = problem


def problem(status: int, detail: str, *, kind: str = "", **extra: Any) -> Response[ProblemBody]:
    body = ProblemBody(
        type=f"urn:tollgate:problem:{kind or status}", title=TITLES.get(status, "Error"),
        status=status, detail=detail, **extra,
    )  # fmt: skip
    return Response(body, status_code=status, media_type=PROBLEM_JSON)


def on_command_failed(_: Request[Any, Any, Any], exc: CommandFailedError) -> Response[ProblemBody]:
    p = exc.problem
    return problem(
        STATUS_OF_CODE.get(p.code, 409), p.detail, kind=p.code, unmet=list(p.unmet),
        current_version=p.current_version,
    )  # fmt: skip


def on_unavailable(_: Request[Any, Any, Any], exc: ServiceUnavailable) -> Response[ProblemBody]:
    response = problem(503, unavailable_detail(exc), kind="unavailable")
    response.headers.update(RETRY_AFTER)
    return response


def unavailable_detail(exc: ServiceUnavailable) -> str:
    """Whether the command may still have been applied, and how to retry it safely: a
    timed-out command may land later; one that found no service was never applied."""
    keyed = CURRENT.get() is not None
    if getattr(exc, "maybe_applied", False):
        if keyed:
            return (
                f"{exc}: the command may still have been applied. Retrying with the same"
                " Idempotency-Key is safe: the command is applied at most once and the retry"
                " answers with its result"
            )
        return (
            f"{exc}: the command may still have been applied, and a plain retry could apply it"
            " twice; send an Idempotency-Key header to make retries safe"
        )
    retry = "; a retry with the same Idempotency-Key is safe" if keyed else ""
    return f"{exc}: the command was not applied; try again shortly{retry}"


def on_database_error(request: Request[Any, Any, Any], exc: Exception) -> Response[ProblemBody]:
    """503 when the database cannot be reached (refused, timed out, connection lost): the
    request did nothing. Any other database error is unexpected."""
    if is_unstorable_text(exc):  # a NUL that no input check caught: still the client's
        return problem(422, f"the request holds {NUL_MESSAGE}", kind="validation")
    if not is_unavailable(exc):
        return on_unexpected(request, exc)
    log.warning("database unreachable on %s %s: %r", request.method, request.url.path, exc)
    detail = "the database is unreachable; nothing was changed, try again shortly"
    response = problem(503, detail, kind="database_unavailable")
    response.headers.update(RETRY_AFTER)
    return response


def on_validation(
    request: Request[Any, Any, Any], exc: ValidationException
) -> Response[ProblemBody]:
    errors = exc.extra if isinstance(exc.extra, list) else []
    if not errors:
        return problem(400, _malformed(str(exc.detail)), kind="malformed")
    first = errors[0] if isinstance(errors[0], dict) else {}
    message, key = str(first.get("message", "")), _public(request, str(first.get("key", "")))
    source = str(getattr(first.get("source"), "value", first.get("source") or "body"))
    if source == "body" and key == "data" and message.strip("'") == "data":
        return problem(400, "this request needs a JSON object as its body", kind="malformed")
    found = _FIELD_IN_MESSAGE.search(message)
    field = found.group(1) if found and key == "data" else key
    where = "query parameter" if source == "query" else "field"
    status = 422 if source == "body" else 400
    return problem(status, f"{where} `{field}`: {message}", kind="validation", field=field)


def _public(request: Request[Any, Any, Any] | None, key: str) -> str:
    """The name the client sent (`format`), not the handler's argument (`fmt`)."""
    handler = request.scope.get("route_handler") if request is not None else None
    signature = getattr(handler, "parsed_fn_signature", None)
    found = signature.parameters.get(key) if signature is not None else None
    alias = getattr(found.kwarg_definition, "name", None) if found is not None else None
    return alias if isinstance(alias, str) and alias else key


def on_http(_: Request[Any, Any, Any], exc: HTTPException) -> Response[ProblemBody]:
    status = exc.status_code
    detail = str(exc.detail)
    if status == 400 and ("JSON" in detail or "malformed" in detail.lower()):
        return problem(400, _malformed(detail), kind="malformed")
    if status == 404 and detail == "Not Found":
        detail = "there is nothing at this address"
    response = problem(status, detail)
    if exc.headers:
        response.headers.update(exc.headers)
    return response


def on_unexpected(request: Request[Any, Any, Any], exc: Exception) -> Response[ProblemBody]:
    log.exception("unexpected error on %s %s", request.method, request.url.path, exc_info=exc)
    return problem(500, "an unexpected error occurred; it has been logged", kind="internal")


def _malformed(detail: str) -> str:
    return f"the body is not valid JSON ({detail})"


HANDLERS: ExceptionHandlersMap = {
    CommandFailedError: on_command_failed,
    ServiceUnavailable: on_unavailable,
    **dict.fromkeys(DATABASE_ERRORS, on_database_error),
    ValidationException: on_validation,
    HTTPException: on_http,
    Exception: on_unexpected,
}
