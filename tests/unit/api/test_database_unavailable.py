"""An unreachable database is a 503 with Retry-After, not a 500: which errors count, and
what the API and the pages answer (the app with an in-memory pool that fails)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from asyncpg import exceptions as pg
from litestar import get
from litestar.testing import TestClient

from api.app import create_app
from api.auth import SESSION_COOKIE
from api.deps import Deps
from infra.db import DatabaseUnavailable, is_unavailable, unavailable_as_error
from infra.settings import Settings
from web.app import create_web_app

SETTINGS = Settings(database_url="postgresql://nowhere/none", nats_url="nats://nowhere")
TOKEN = {"Authorization": "Bearer tg_anything"}


def raised(exc: BaseException, module: str = __name__) -> BaseException:
    """`exc` as raised by code of `module`, so its traceback names that module."""
    scope: dict[str, Any] = {"__name__": module}
    exec("def boom(exc):\n    raise exc\n", scope)
    try:
        scope["boom"](exc)
    except BaseException as caught:
        return caught
    raise AssertionError("boom did not raise")


@pytest.mark.parametrize(
    "exc",
    [
        pg.ConnectionDoesNotExistError("connection was closed in the middle of operation"),
        pg.CannotConnectNowError("the database system is starting up"),
        pg.AdminShutdownError("terminating connection due to administrator command"),
        pg.TooManyConnectionsError("sorry, too many clients already"),
        pg.InterfaceError("connection is closed"),
        DatabaseUnavailable("gone"),
    ],
)
def test_connection_errors_mean_the_database_is_unavailable(exc: Exception):
    assert is_unavailable(exc)


def test_a_timeout_or_refusal_raised_inside_asyncpg_means_unavailable():
    assert is_unavailable(raised(TimeoutError(), "asyncpg.pool"))
    assert is_unavailable(raised(ConnectionRefusedError(111, "refused"), "asyncpg.connect_utils"))


def test_any_error_while_connecting_means_unavailable():
    not_accepting = pg.ObjectNotInPrerequisiteStateError("not currently accepting connections")
    assert is_unavailable(raised(not_accepting, "asyncpg.connect_utils"))


@pytest.mark.parametrize(
    "exc",
    [
        pg.DivisionByZeroError("division by zero"),
        pg.UniqueViolationError("duplicate key"),
        pg.InterfaceError("cannot perform operation: another operation is in progress"),
        raised(TimeoutError()),  # a timeout of ours, say NATS: not the database
        raised(OSError("disk full")),
    ],
)
def test_statement_errors_and_foreign_timeouts_are_not_unavailability(exc: Exception):
    assert not is_unavailable(exc)


def test_unavailable_as_error_turns_a_lost_connection_into_database_unavailable():
    lost = pg.ConnectionDoesNotExistError("connection was closed in the middle of operation")
    with pytest.raises(DatabaseUnavailable, match="unreachable") as caught, unavailable_as_error():
        raise lost
    assert caught.value.__cause__ is lost


def test_unavailable_as_error_lets_other_errors_through():
    with pytest.raises(pg.DivisionByZeroError), unavailable_as_error():
        raise pg.DivisionByZeroError("division by zero")


class FailingPool:
    """A pool whose every query fails with what `fail` makes."""

    def __init__(self, fail: Callable[[], BaseException]) -> None:
        self.fail = fail

    async def fetchrow(self, *_: object, **__: object) -> None:
        raise self.fail()

    fetch = fetchval = execute = fetchrow


def client(fail: Callable[[], BaseException]) -> TestClient[Any]:
    deps = Deps(settings=SETTINGS, pool=FailingPool(fail), broker=None)  # type: ignore[arg-type]
    return TestClient(create_web_app(SETTINGS, deps))


def lost() -> BaseException:
    return pg.ConnectionDoesNotExistError("connection was closed in the middle of operation")


def test_an_api_read_with_the_database_gone_is_a_503_problem_with_retry_after():
    with client(lost) as http:
        response = http.get("/api/v1/initiatives", headers=TOKEN)
    assert response.status_code == 503
    assert response.headers["retry-after"] == "2"
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert body["status"] == 503 and body["type"] == "urn:tollgate:problem:database_unavailable"
    assert "unreachable" in body["detail"] and "nothing was changed" in body["detail"]


def test_a_command_with_the_database_gone_is_a_503_before_anything_is_sent():
    with client(lost) as http:
        response = http.post("/api/v1/initiatives", headers=TOKEN, json={"title": "x"})
    assert response.status_code == 503
    assert response.headers["retry-after"] == "2"


def test_another_database_error_stays_a_500():
    with client(lambda: pg.DivisionByZeroError("division by zero")) as http:
        response = http.get("/api/v1/initiatives", headers=TOKEN)
    assert response.status_code == 500


def test_a_page_with_the_database_gone_is_a_503_page():
    cookie = "a-session-token"  # looked up in the database, which is gone
    with client(lost) as http:
        http.cookies.set(SESSION_COOKIE, cookie)
        response = http.get("/")
    assert response.status_code == 503
    assert response.headers["retry-after"] == "2"
    assert response.headers["content-type"].startswith("text/html")
    assert "database cannot be reached" in response.text


def test_a_connection_lost_mid_operation_anywhere_in_a_request_is_a_503():
    """asyncpg's state error on a pooled connection whose backend went away, raised outside
    any `unavailable_as_error` (as the idempotency store's claim did under faults)."""

    @get("/boom", sync_to_thread=False)
    def boom() -> None:
        raise pg.InternalClientError(
            "cannot switch to state 12; another operation (2) is in progress"
        )

    deps = Deps(settings=SETTINGS, pool=FailingPool(lost), broker=None)  # type: ignore[arg-type]
    with TestClient(create_app(SETTINGS, deps, extra_route_handlers=[boom])) as http:
        response = http.get("/boom")
    assert response.status_code == 503
    assert response.headers["retry-after"] == "2"
