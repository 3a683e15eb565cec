"""The OpenAPI document, completed where the route decorators cannot say it once for all:
the bearer security scheme, the problem+json errors every operation may answer with, and
the Idempotency-Key header of every POST and PATCH.

`complete` runs once on the built app, over every operation, so a new route is documented
the same way without anyone remembering to. A status a route declares itself (`responses=`
in its decorator, such as /health's 503) is left as the route says.
"""

from __future__ import annotations

from litestar import Litestar
from litestar.enums import ParamType
from litestar.handlers import HTTPRouteHandler
from litestar.openapi.spec import (
    Components,
    OpenAPIMediaType,
    OpenAPIResponse,
    OpenAPIType,
    Operation,
    Parameter,
    Reference,
    Schema,
    SecurityRequirement,
    SecurityScheme,
)
from litestar.routes import HTTPRoute

from api.auth import API_PREFIX
from api.problems import PROBLEM_JSON
from api.screening import HELD

BEARER = "bearer"
COMPONENTS = Components(
    security_schemes={
        BEARER: SecurityScheme(
            type="http",
            scheme="bearer",
            description="An API token (`tollgate users add` or `POST /api/v1/users`).",
        )
    }
)
SECURITY: list[SecurityRequirement] = [{BEARER: []}]
ERRORS = {
    400: "Malformed: not JSON, too large a nesting, or a bad query or path parameter",
    401: "No valid token",
    403: "The token's role (or actor kind) may not do this",
    404: "No such initiative, record or resource",
    409: "A refused command (the rule in `detail`, unmet criteria in `unmet`) or a stale "
    "`expected_version` (`current_version` names the current one)",
    422: "An invalid field (`field` names it), or a command the service found invalid",
    503: "A stage service, NATS or the database did not answer; see `Retry-After`",
}
TOO_LARGE = (413, "The body is larger than 1 MiB")
PUBLIC_ERRORS = frozenset({401, 403})  # a public operation needs no token
WRITES = frozenset({"POST", "PATCH"})
_TEXT, _INT = Schema(type=OpenAPIType.STRING), Schema(type=OpenAPIType.INTEGER)
PROBLEM = Schema(
    type=OpenAPIType.OBJECT,
    description="RFC 9457 problem details",
    required=["type", "title", "status", "detail"],
    properties={
        "type": _TEXT,
        "title": _TEXT,
        "status": _INT,
        "detail": _TEXT,
        "field": Schema(type=OpenAPIType.STRING, description="the invalid field or parameter"),
        "unmet": Schema(type=OpenAPIType.ARRAY, items=_TEXT, description="unmet criteria"),
        "current_version": Schema(type=OpenAPIType.INTEGER, description="the stream's version"),
    },
)
KEY = "Idempotency-Key"
IDEMPOTENCY_KEY = Parameter(
    name=KEY,
    param_in=ParamType.HEADER,
    required=False,
    description="1-255 printable ASCII characters, bare or as a quoted string: a retry with "
    "the same key and request gets the first response again (`Idempotent-Replayed: true`)",
    schema=Schema(type=OpenAPIType.STRING, min_length=1, max_length=255, pattern=r"^[ -~]+$"),
)


def _problem(description: str) -> OpenAPIResponse:
    schema = Reference(ref="#/components/schemas/Problem")
    return OpenAPIResponse(
        description=description, content={PROBLEM_JSON: OpenAPIMediaType(schema=schema)}
    )


def _complete(operation: Operation, handler: HTTPRouteHandler, method: str, path: str) -> None:
    public = bool(handler.opt.get("exclude_from_auth"))
    declared = {str(status) for status in handler.responses or {}}
    errors = dict(ERRORS)
    if method in WRITES:
        errors[TOO_LARGE[0]] = TOO_LARGE[1]
        others = [p for p in operation.parameters or [] if getattr(p, "name", "") != KEY]
        operation.parameters = [*others, IDEMPOTENCY_KEY]
    responses = operation.responses if operation.responses is not None else {}
    _alternatives(responses.get("200"), handler.opt.get("alternatives", ()))
    if method == "POST" and path.startswith(f"{API_PREFIX}/initiatives"):
        responses.setdefault("202", HELD)  # an agent's command held for approval
    for status, description in errors.items():
        if str(status) not in declared and not (public and status in PUBLIC_ERRORS):
            responses[str(status)] = _problem(description)
    operation.responses = responses
    if public:
        operation.security = []


def _alternatives(ok: OpenAPIResponse | Reference | None, media_types: tuple[str, ...]) -> None:
    """Other media types the 200 answer comes in (the route's `opt["alternatives"]`), such
    as text/csv for a list or text/html for a PDF: text or bytes, chosen by Accept or
    `format`."""
    if isinstance(ok, OpenAPIResponse) and media_types:
        text = OpenAPIMediaType(schema=Schema(type=OpenAPIType.STRING))
        ok.content = {**(ok.content or {}), **dict.fromkeys(media_types, text)}


def complete(app: Litestar) -> None:
    """Add the problem responses, the security and the Idempotency-Key header to every
    operation of the app's OpenAPI document (built once, here)."""
    openapi = app.openapi_schema
    if openapi.components.schemas is None:
        openapi.components.schemas = {}
    openapi.components.schemas["Problem"] = PROBLEM
    for route in app.routes:
        item = (openapi.paths or {}).get(route.path_format or "/")
        if not isinstance(route, HTTPRoute) or item is None:
            continue
        for handler in route.route_handlers:
            for method in handler.http_methods:
                operation = getattr(item, method.lower(), None)
                if isinstance(operation, Operation):
                    _complete(operation, handler, method, route.path_format or "/")
