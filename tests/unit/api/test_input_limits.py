"""Input limits without a server: every text field of every command and request body refuses
a NUL naming the field, dates are bounded, JSON nesting and query parameters are checked,
forms say it in words, and the OpenAPI document declares what errors every operation may
answer with."""

from __future__ import annotations

import importlib
import pkgutil
import time
from collections.abc import Iterator
from datetime import date, datetime
from typing import Any

import msgspec
import pytest
from litestar.exceptions import ClientException, ValidationException

import events
from api import bodies
from api.app import create_app
from api.limits import MAX_JSON_DEPTH, BoundedDates, check_json, check_query
from api.routes.initiatives import InitiativeController
from events.base import Command
from infra.settings import Settings
from tests.text_fields import nul_variants
from web.forms import humane, parse
from web.stage_forms import BY_KEY

SERVER_SET = {"actor"}  # who sends a command is the authenticated user, never the body


def _subclasses(cls: type) -> Iterator[type]:
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def command_types() -> list[type[Command]]:
    for module in pkgutil.iter_modules(events.__path__):
        importlib.import_module(f"events.{module.name}")
    return sorted(set(_subclasses(Command)), key=lambda c: c.__name__)


def body_types() -> list[type[msgspec.Struct]]:
    found = [v for v in vars(bodies).values() if isinstance(v, type)]
    return [t for t in found if issubclass(t, msgspec.Struct) and t.__module__ == bodies.__name__]


def sweep(types: list[Any]) -> list[tuple[type, str, Any]]:
    return [
        (t, path, value)
        for t in types
        for path, value in nul_variants(t)[1]
        if path.split(".")[0].split("[")[0] not in SERVER_SET
    ]


COMMAND_CASES = sweep(command_types())
BODY_CASES = sweep(body_types())


def test_the_sweeps_reach_the_text_fields_of_every_command_and_body():
    assert {t.__name__ for t, _, _ in COMMAND_CASES} >= {"ProposeIdea", "DecideGate", "Resume"}
    assert "conditions[0].text" in {p for t, p, _ in BODY_CASES if t is bodies.DecisionBody}
    assert len(COMMAND_CASES) > 80 and len(BODY_CASES) > 60


@pytest.mark.parametrize(
    ("type_", "path", "value"),
    COMMAND_CASES + BODY_CASES,
    ids=[f"{t.__name__}.{p}" for t, p, _ in COMMAND_CASES + BODY_CASES],
)
def test_a_nul_in_any_text_field_is_refused_naming_the_field(type_: type, path: str, value: Any):
    valid = nul_variants(type_)[0]
    msgspec.convert(valid, type_)  # the same value without the NUL is fine
    with pytest.raises(msgspec.ValidationError, match=rf"at `\$\.{path}`".replace("[", r"\[")):
        msgspec.convert(value, type_)


@pytest.mark.parametrize("held_on", ["0001-01-01", "1899-12-31", "2201-01-01", "9999-12-31"])
def test_a_date_outside_1900_to_2200_is_refused_naming_the_field(held_on: str):
    body = {"held_on": held_on, "participants": ["ana"], "outcome": "ok"}
    with pytest.raises(msgspec.ValidationError, match=r"between 1900 and 2200 - at `\$\.held_on`"):
        msgspec.json.decode(msgspec.json.encode(body), type=bodies.WorkshopBody)


def test_a_datetime_at_the_edge_of_the_range_is_fine_and_one_beyond_is_not():
    at = {"value": 1.0, "at": "1900-01-01T00:00:00+14:00"}
    assert msgspec.convert(at, bodies.MeasurementBody).at == datetime.fromisoformat(at["at"])
    with pytest.raises(msgspec.ValidationError, match=r"at `\$\.at`"):
        msgspec.convert({**at, "at": "0001-01-01T00:00:00+14:00"}, bodies.MeasurementBody)


def test_every_body_bounds_its_dates():
    assert all(issubclass(t, BoundedDates) for t in body_types() if t is not bodies.Body)
    assert msgspec.convert(
        {"held_on": "2026-05-01", "participants": ["a"], "outcome": "o"}, bodies.WorkshopBody
    ).held_on == date(2026, 5, 1)


def nested(depth: int) -> bytes:
    return b"[" * depth + b"]" * depth


def test_json_nested_deeper_than_the_limit_is_refused_and_the_limit_itself_is_fine():
    check_json(b'{"a":' + nested(MAX_JSON_DEPTH - 1) + b"}")
    with pytest.raises(ClientException, match="nested deeper than 32"):
        check_json(b'{"a":' + nested(MAX_JSON_DEPTH) + b"}")


def test_json_nested_200000_levels_is_refused_at_once():
    started = time.perf_counter()
    with pytest.raises(ClientException, match="nested deeper"):
        check_json(nested(200_000))
    assert time.perf_counter() - started < 1


def test_a_body_that_is_not_utf8_is_refused_and_malformed_json_left_to_the_handler():
    with pytest.raises(ClientException, match="UTF-8"):
        check_json(b'{"title": "\xff"}')
    check_json(b"{title:")  # the handler's own 400 names what is wrong with it


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (b'{"title": "a\\u0000"}', "title"),
        (b'{"team": ["a", "b\\u0000"]}', "team[1]"),
        (b'{"conditions": [{"text": "\\u0000"}]}', "conditions[0].text"),
        (b'{"a\\u0000": 1}', "a"),
    ],
)
def test_a_nul_anywhere_in_json_names_where_it_is(body: bytes, field: str):
    with pytest.raises(ValidationException) as caught:
        check_json(body)
    (error,) = caught.value.extra  # type: ignore[misc]
    assert (error["key"], error["source"], "NUL" in error["message"]) == (field, "body", True)


def test_an_escaped_backslash_before_u0000_is_no_nul():
    check_json(b'{"title": "\\\\u0000"}')


LIST = InitiativeController.list_initiatives


@pytest.mark.parametrize(
    ("query", "field"),
    [
        (b"q=a%00b", "q"),
        (b"owner=%00", "owner"),
        (b"stage=poc%00", "stage"),
        (b"as_of=0001-01-01T00:00:00%2B14:00", "as_of"),
        (b"as_of=9999-12-31", "as_of"),
        (b"as_of=2026-09-01T00:00:00", "as_of"),  # no offset: not RFC 3339 (was a 500)
        (b"offset=9223372036854775808", "offset"),
        (b"min_position=-99999999999999999999", "min_position"),
    ],
)
def test_a_nul_a_date_or_a_number_out_of_range_in_a_query_names_the_parameter(
    query: bytes, field: str
):
    with pytest.raises(ValidationException) as caught:
        check_query(query, LIST)
    assert caught.value.extra[0]["key"] == field  # type: ignore[index]


def test_values_in_range_and_text_that_only_looks_like_a_date_or_number_pass():
    check_query(b"as_of=2026-01-01T00:00:00Z&q=0001-01-01&offset=9223372036854775807", LIST)
    check_query(b"q=99999999999999999999&mine=true&limit=ten", LIST)
    with pytest.raises(ClientException, match="ASCII"):
        check_query(b"q=\xff", LIST)


def test_forms_say_what_is_wrong_with_a_nul_or_a_date_in_words():
    parsed = parse(BY_KEY["refine"], {"title": "Sharp\x00er"})
    assert parsed.body is None and "NUL" in parsed.errors["title"]
    assert humane("Expected a date between 1900 and 2200", BY_KEY["refine"].fields[0]) == (
        "Enter a date from 1900 to 2200"
    )


OPENAPI = create_app(
    Settings(database_url="postgresql://nobody@127.0.0.1:1/none", nats_url="nats://127.0.0.1:1")
).openapi_schema.to_schema()
OPERATIONS = [
    (f"{method.upper()} {path}", op)
    for path, item in OPENAPI["paths"].items()
    for method, op in item.items()
    if method in {"get", "post", "put", "patch", "delete"}
]


def test_the_document_declares_the_bearer_scheme():
    assert OPENAPI["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"
    assert OPENAPI["security"] == [{"bearer": []}]


@pytest.mark.parametrize(("name", "operation"), OPERATIONS, ids=[n for n, _ in OPERATIONS])
def test_every_operation_is_described_with_its_problem_responses(name: str, operation: Any):
    assert operation.get("description"), f"{name} has no docstring"
    public = operation.get("security") == []
    expected = {"400", "404", "409", "422", "503"} | (set() if public else {"401", "403"})
    assert expected <= operation["responses"].keys()
    problem = operation["responses"]["422"]["content"]["application/problem+json"]["schema"]
    assert problem == {"$ref": "#/components/schemas/Problem"}
    headers = {p["name"] for p in operation.get("parameters", []) if p["in"] == "header"}
    assert ("Idempotency-Key" in headers) == name.startswith(("POST", "PATCH"))


def test_the_timeline_is_documented_as_the_array_of_cloudevents_it_returns():
    timeline = OPENAPI["paths"]["/api/v1/initiatives/{initiative_id}/events"]["get"]
    schema = timeline["responses"]["200"]["content"]["application/json"]["schema"]
    assert schema == {"type": "array", "items": {"$ref": "#/components/schemas/CloudEvent"}}
