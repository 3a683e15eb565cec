"""Input the database cannot hold or the API will not take, against the real API: a 4xx
problem naming the field or parameter, never a 500.

The sweeps are generated: every text field of every JSON body of every route (from the
routes' body types) and every query parameter of every operation (from the OpenAPI
document), so a new field or parameter is covered without a new test.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from litestar.routes import HTTPRoute

from api.app import create_app
from api.limits import MAX_BODY_BYTES
from infra.settings import Settings
from tests.integration.api_stack import Api, api
from tests.integration.test_api_lifecycle import IDEA
from tests.text_fields import nul_variants

pytestmark = pytest.mark.asyncio(loop_scope="session")
__all__ = ["api"]

APP = create_app(
    Settings(database_url="postgresql://n@127.0.0.1:1/n", nats_url="nats://127.0.0.1:1")
)
OPENAPI = APP.openapi_schema.to_schema()
EARLY = "0001-01-01T00:00:00+14:00"  # overflowed on its way to UTC: once a 500


def body_routes() -> list[tuple[str, str, Any]]:
    """(method, path with placeholder ids, body type) of every route that takes JSON."""
    found = []
    for route in APP.routes:
        for handler in route.route_handlers if isinstance(route, HTTPRoute) else []:
            data = handler.parsed_fn_signature.parameters.get("data")
            if data is not None:
                path = re.sub(r"\{\w+:\w+\}", "x", route.path).removeprefix("/api/v1")
                found += [(method, path, data.annotation) for method in handler.http_methods]
    return found


NUL_BODIES = [
    (method, path, field, body)
    for method, path, type_ in body_routes()
    for field, body in nul_variants(type_)[1]
]
QUERY_PARAMETERS = [
    (path.removeprefix("/api/v1"), parameter)
    for path, item in OPENAPI["paths"].items()
    for method, operation in item.items()
    if method == "get"
    for parameter in operation.get("parameters", [])
    if parameter["in"] == "query"
]
DATED = [(p, q["name"]) for p, q in QUERY_PARAMETERS if "date" in str(q["schema"])]


def assert_problem(response: Any, status: int, field: str | None = None) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    problem: dict[str, Any] = response.json()
    if field is not None:
        assert problem["field"] == field, problem
    return problem


async def test_the_sweeps_cover_the_routes():
    assert {path for _, path, _, _ in NUL_BODIES} >= {"/initiatives", "/users", "/subscriptions"}
    assert {name for _, q in QUERY_PARAMETERS for name in [q["name"]]} >= {"q", "owner", "stage"}
    assert ("/initiatives", "as_of") in DATED and ("/portfolio", "as_of") in DATED


@pytest.mark.parametrize(
    ("method", "path", "field", "body"),
    NUL_BODIES,
    ids=[f"{m} {p} {f}" for m, p, f, _ in NUL_BODIES],
)
async def test_a_nul_in_any_text_field_of_any_body_is_a_422_naming_it(
    api: Api, method: str, path: str, field: str, body: Any
):
    response = await api.http.request(method, path, json=body, headers=api.headers("admin"))
    assert "NUL" in assert_problem(response, 422, field)["detail"]


@pytest.mark.parametrize(
    ("path", "parameter"),
    QUERY_PARAMETERS,
    ids=[f"{p}?{q['name']}" for p, q in QUERY_PARAMETERS],
)
async def test_a_nul_in_any_query_parameter_is_a_400_naming_it(
    api: Api, path: str, parameter: dict[str, Any]
):
    url = path.replace("{initiative_id}", "x").replace("{subscription_id}", "x")
    url = url.replace("{n}", "1")  # an integer path parameter: "x" would match no route
    response = await api.get(re.sub(r"\{\w+\}", "x", url), "admin", **{parameter["name"]: "a\x00"})
    assert_problem(response, 400, parameter["name"])


@pytest.mark.parametrize(("path", "name"), DATED, ids=[f"{p}?{n}" for p, n in DATED])
@pytest.mark.parametrize(
    "moment", [EARLY, "9999-12-31T23:59:59-14:00", "1899-12-31", "2026-09-01T00:00:00"]
)
async def test_a_date_parameter_out_of_range_is_a_400_naming_it(
    api: Api, path: str, name: str, moment: str
):
    created = await api.ok("/initiatives", "owner", IDEA)
    url = path.replace("{initiative_id}", created["id"])
    assert_problem(await api.get(url, "viewer", **{name: moment}), 400, name)


async def test_an_offset_beyond_a_bigint_is_a_400_naming_it(api: Api):
    assert_problem(await api.get("/initiatives", offset=2**63), 400, "offset")


async def test_dates_out_of_range_in_bodies_are_422s_naming_the_field(api: Api):
    iid = (await api.ok("/initiatives", "owner", IDEA))["id"]
    workshop = {"held_on": "0001-01-01", "participants": ["ana"], "outcome": "ok"}
    response = await api.post(f"/initiatives/{iid}/ideation/workshops", "owner", workshop)
    assert_problem(response, 422, "held_on")
    measured = {"value": 1, "at": "9999-12-31T23:59:59-14:00"}
    response = await api.post(f"/initiatives/{iid}/kpis/k/measurements", "owner", measured)
    assert_problem(response, 422, "at")


async def raw(api: Api, body: bytes, content_type: str | None = "application/json") -> Any:
    headers = {**api.headers("owner"), **({"content-type": content_type} if content_type else {})}
    return await api.http.post("/initiatives", content=body, headers=headers)


@pytest.mark.parametrize("content_type", ["application/json", None, "text/plain"])
async def test_json_nested_200000_levels_deep_is_a_400(api: Api, content_type: str | None):
    deep = b"[" * 200_000 + b"]" * 200_000
    for body in (deep, b'{"title":' + deep + b"}"):
        response = await raw(api, body, content_type)
        assert "nested deeper than 32" in assert_problem(response, 400)["detail"]


async def test_a_body_too_large_or_not_utf8_is_refused(api: Api):
    big = b'{"title": "' + b"x" * MAX_BODY_BYTES + b'"}'
    assert_problem(await raw(api, big), 413)
    assert_problem(await raw(api, b'{"title": "caf\xe9"}'), 400)
