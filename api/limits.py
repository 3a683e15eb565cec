"""Input limits: what every request must respect before a handler sees it.

- JSON bodies: at most MAX_BODY_BYTES (413), valid UTF-8 and nested at most MAX_JSON_DEPTH
  levels (400), and no NUL character in any key or string (422 naming the field: PostgreSQL
  stores no NUL, in text or in jsonb). The command bodies' text types refuse NUL themselves
  (events.base.storable); this catches every other body too.
- Query parameters: no NUL (400 naming the parameter); a date or datetime parameter within
  FIRST_YEAR..LAST_YEAR (year 1 at +14:00 overflows on its way to UTC), a datetime one with
  its UTC offset (RFC 3339: a naive one cannot be compared with stored times), an integer
  one within PostgreSQL's bigint (400 naming it).
- Dates and datetimes in command bodies are bounded by `BoundedDates` (422 naming the field).

A lone UTF-16 surrogate cannot arrive: msgspec refuses one in JSON (400) and the query and
form parsers replace undecodable bytes.
"""

from __future__ import annotations

import contextlib
import typing
from collections.abc import Iterator
from datetime import date, datetime
from types import NoneType, UnionType
from typing import Any
from urllib.parse import parse_qsl

import msgspec
from litestar.enums import ScopeType
from litestar.exceptions import ClientException, ValidationException
from litestar.handlers import HTTPRouteHandler
from litestar.types import ASGIApp, Receive, Scope, Send

from api.buffered import read_body, replaying
from events.errors import NUL_MESSAGE

MAX_BODY_BYTES = 1 << 20
MAX_JSON_DEPTH = 32
FIRST_YEAR, LAST_YEAR = 1900, 2200
WITH_BODY = frozenset({"POST", "PUT", "PATCH", "DELETE"})
_NOT_JSON = (b"application/x-www-form-urlencoded", b"multipart/")
DATE_MESSAGE = f"Expected a date between {FIRST_YEAR} and {LAST_YEAR}"
OFFSET_MESSAGE = "Expected an RFC 3339 datetime with its offset, such as 2026-01-01T00:00:00Z"
BIGGEST = 2**63 - 1  # PostgreSQL's bigint
INT_MESSAGE = f"Expected an integer between -{BIGGEST} and {BIGGEST}"


def in_range(value: date) -> bool:
    """Whether a date or datetime lies in the years Tollgate accepts (timezone aside)."""
    return FIRST_YEAR <= value.year <= LAST_YEAR


class BoundedDates(msgspec.Struct):
    """A body whose date and datetime fields must lie within FIRST_YEAR..LAST_YEAR."""

    def __post_init__(self) -> None:
        for name in self.__struct_fields__:
            value = getattr(self, name)
            if isinstance(value, date) and not in_range(value):
                raise ValueError(f"{DATE_MESSAGE} - at `$.{name}`")


def _bad_query(key: str, message: str) -> ValidationException:
    extra = [{"key": key, "source": "query", "message": message}]
    return ValidationException(f"query parameter `{key}`: {message}", extra=extra)


def _is_a(annotation: Any, kind: type) -> bool:
    """Whether a parameter's annotation is `kind` (or an optional or annotated one)."""
    if isinstance(annotation, UnionType) or typing.get_origin(annotation) is typing.Union:
        return any(_is_a(arg, kind) for arg in typing.get_args(annotation) if arg is not NoneType)
    if typing.get_origin(annotation) is typing.Annotated:
        return _is_a(typing.get_args(annotation)[0], kind)
    return isinstance(annotation, type) and issubclass(annotation, kind)


def _problem(raw: str, annotation: Any) -> str | None:
    """What is wrong with a date or integer parameter that parses but cannot be used."""
    if _is_a(annotation, date):
        try:
            moment = datetime.fromisoformat(raw.replace("Z", "+00:00"))
        except ValueError:
            return None  # not a date at all: the parameter's own validation says so
        if not in_range(moment):
            return DATE_MESSAGE
        naive = _is_a(annotation, datetime) and moment.tzinfo is None and len(raw) > 10
        return OFFSET_MESSAGE if naive else None
    if _is_a(annotation, int) and not _is_a(annotation, bool):
        with contextlib.suppress(ValueError):
            return None if abs(int(raw)) <= BIGGEST else INT_MESSAGE
    return None


def check_query(query_string: bytes, handler: HTTPRouteHandler | None) -> None:
    """No NUL in any query parameter; the handler's date parameters within the years
    accepted, its integer parameters within PostgreSQL's bigint."""
    fields = handler.parsed_fn_signature.parameters if handler is not None else {}
    if not query_string.isascii():
        raise ClientException("the query string is not ASCII; percent-encode it")
    for key, value in parse_qsl(query_string.decode(), keep_blank_values=True):
        if "\x00" in key + value:
            raise _bad_query(key.replace("\x00", "") or "?", NUL_MESSAGE)
        field = fields.get(key)
        if field is not None and (wrong := _problem(value, field.annotation)):
            raise _bad_query(key, wrong)


def _nodes(value: Any) -> Iterator[tuple[str, Any, int]]:
    """(path, value, depth) of every node of decoded JSON, without recursion; the depth of a
    value is how many arrays and objects hold it, itself included."""
    stack: list[tuple[str, Any, int]] = [("", value, 1)]
    while stack:
        path, node, depth = stack.pop()
        yield path, node, depth
        if isinstance(node, dict):
            for key, item in node.items():
                yield f"{path}.{key}".lstrip("."), key, depth + 1
                stack.append((f"{path}.{key}".lstrip("."), item, depth + 1))
        elif isinstance(node, list):
            stack.extend((f"{path}[{i}]", item, depth + 1) for i, item in enumerate(node))


def check_json(body: bytes) -> None:
    """UTF-8, bounded nesting and no NUL; malformed JSON is left to the handler's 400."""
    try:
        value = msgspec.json.decode(body)
    except RecursionError:
        raise _too_deep() from None
    except UnicodeDecodeError as exc:
        raise ClientException(f"the body is not valid UTF-8 ({exc.reason})") from None
    except msgspec.DecodeError:
        return
    nul = None
    for path, node, depth in _nodes(value):
        if depth > MAX_JSON_DEPTH:
            raise _too_deep()
        if nul is None and isinstance(node, str) and "\x00" in node:
            nul = path.replace("\x00", "") or "body"
    if nul is not None:
        extra = [{"key": nul, "source": "body", "message": NUL_MESSAGE}]
        raise ValidationException(f"field `{nul}`: {NUL_MESSAGE}", extra=extra)


def _too_deep() -> ClientException:
    return ClientException(f"the body is nested deeper than {MAX_JSON_DEPTH} levels")


def _is_json(scope: Scope) -> bool:
    content_type = dict(scope["headers"]).get(b"content-type", b"").lower()
    return not content_type.startswith(_NOT_JSON)


class InputLimitsMiddleware:
    """Checks the query string, and reads and checks a JSON body (then hands it on)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == ScopeType.HTTP:
            handler = scope.get("route_handler")
            routed = handler if isinstance(handler, HTTPRouteHandler) else None
            check_query(scope["query_string"], routed)
            if scope["method"] in WITH_BODY and _is_json(scope):
                body = await read_body(receive, MAX_BODY_BYTES, "a request body")
                check_json(body)
                receive = replaying(body, receive)
        await self.app(scope, receive, send)
