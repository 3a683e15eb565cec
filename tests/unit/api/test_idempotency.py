"""Idempotency-Key: key bounds, the request digest, and the middleware against an in-memory
store in a small app: replay, 422 on another body, nothing stored for a 5xx, the key and
digest handed to the command, pages' hidden field, and the 503's advice."""

from __future__ import annotations

from typing import Any

import pytest
from litestar import Request, post
from litestar.datastructures import CacheControlHeader
from litestar.exceptions import HTTPException
from litestar.middleware import DefineMiddleware
from litestar.testing import create_test_client
from litestar.types import ASGIApp, HTTPScope, Receive, Scope, Send

from api.buffered import Headers
from api.idempotency import (
    FORM_FIELD,
    MAX_STORED_BYTES,
    IdempotencyMiddleware,
    InvalidKey,
    client_key,
    request_digest,
    sent_key,
)
from api.idempotency_context import CURRENT, IdempotentRequest
from api.idempotency_store import Stored
from api.problems import unavailable_detail
from api.users import User
from infra.commands import ServiceUnavailable

ALICE = User(user_id="u1", name="alice", role="contributor")
ran: list[IdempotentRequest | None] = []


class FakeStore:
    """The ResponseStore in a dict."""

    def __init__(self) -> None:
        self.rows: dict[str, Stored] = {}

    async def claim(self, key: str, digest: str) -> Stored | None:
        if key in self.rows:
            return self.rows[key]
        self.rows[key] = Stored(digest=digest, status=None)
        return None

    async def complete(self, key: str, status: int, headers: Headers, body: bytes) -> None:
        digest = self.rows[key].digest
        self.rows[key] = Stored(digest=digest, status=status, headers=headers, body=body)

    async def release(self, key: str) -> None:
        del self.rows[key]


def signed_in_as(user: User | None) -> Any:
    def middleware(app: ASGIApp) -> ASGIApp:
        async def with_user(scope: Scope, receive: Receive, send: Send) -> None:
            scope["user"] = user
            await app(scope, receive, send)

        return with_user

    return middleware


@post("/api/v1/things", status_code=201)
async def create_thing(request: Request[Any, Any, Any]) -> dict[str, Any]:
    ran.append(CURRENT.get())
    return {"n": len(ran), "body": (await request.body()).decode()}


@post("/api/v1/broken")
async def broken() -> None:
    ran.append(CURRENT.get())
    raise HTTPException(status_code=503, detail="the ideation service did not answer in 1s")


@post("/api/v1/big", status_code=200)
async def big() -> str:
    ran.append(CURRENT.get())
    return "x" * (MAX_STORED_BYTES + 1)


@post("/api/v1/secret", status_code=201, cache_control=CacheControlHeader(no_store=True))
async def secret() -> dict[str, str]:
    ran.append(CURRENT.get())
    return {"token": f"tg_{len(ran)}"}


@post("/forms/thing", status_code=200)
async def form_thing() -> str:
    ran.append(CURRENT.get())
    return f"form {len(ran)}"


@pytest.fixture
def store() -> FakeStore:
    ran.clear()
    return FakeStore()


def client(store: FakeStore, user: User | None = ALICE) -> Any:
    def store_of(_: HTTPScope) -> FakeStore:
        return store

    return create_test_client(
        route_handlers=[create_thing, broken, big, secret, form_thing],
        middleware=[signed_in_as(user), DefineMiddleware(IdempotencyMiddleware, store=store_of)],
    )


def key(value: str) -> dict[str, str]:
    return {"Idempotency-Key": value}


@pytest.mark.parametrize("raw", ["", "x" * 256, "caf\u00e9", "a\nb", "tab\there"])
def test_a_key_outside_1_to_255_printable_ascii_characters_is_refused(raw: str):
    with pytest.raises(InvalidKey):
        client_key(raw)


def test_a_key_may_be_bare_or_a_structured_field_string():
    assert client_key("x" * 255) == "x" * 255
    assert client_key('"8e03978e-40d5"') == "8e03978e-40d5"
    assert client_key(r'"say \"hi\""') == 'say "hi"'


def test_the_digest_tells_method_path_query_and_body_apart():
    base = request_digest("POST", "/a", b"", b"{}")
    assert base == request_digest("POST", "/a", b"", b"{}")
    others = {
        request_digest("PATCH", "/a", b"", b"{}"),
        request_digest("POST", "/b", b"", b"{}"),
        request_digest("POST", "/a", b"x=1", b"{}"),
        request_digest("POST", "/a", b"", b"{ }"),
        request_digest("POST", "/a{", b"", b"}"),  # the same bytes, split elsewhere
    }
    assert base not in others and len(others) == 5


def test_the_header_wins_and_a_form_may_carry_the_key_in_a_hidden_field():
    form = {b"content-type": b"application/x-www-form-urlencoded"}
    body = f"title=x&{FORM_FIELD}=k-form".encode()
    assert sent_key({**form, b"idempotency-key": b"k-header"}, body) == "k-header"
    assert sent_key(form, body) == "k-form"
    assert sent_key({b"content-type": b"application/json"}, body) is None
    assert sent_key(form, b"title=x") is None


def test_the_same_key_twice_runs_once_and_replays_the_first_response(store: FakeStore):
    with client(store) as http:
        first = http.post("/api/v1/things", json={"a": 1}, headers=key("k1"))
        again = http.post("/api/v1/things", json={"a": 1}, headers=key("k1"))
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json() == {"n": 1, "body": '{"a":1}'}
    assert again.headers["idempotent-replayed"] == "true"
    assert again.headers["content-type"] == first.headers["content-type"]
    assert "idempotent-replayed" not in first.headers
    assert len(ran) == 1


def test_the_command_gets_the_key_scoped_to_the_caller_and_the_digest(store: FakeStore):
    with client(store) as http:
        http.post("/api/v1/things", content=b"{}", headers=key("k1"))
    digest = request_digest("POST", "/api/v1/things", b"", b"{}")
    assert ran == [IdempotentRequest(key="alice:k1", digest=digest)]
    assert CURRENT.get() is None


def test_the_same_key_with_another_body_is_a_422_and_runs_nothing(store: FakeStore):
    with client(store) as http:
        http.post("/api/v1/things", json={"a": 1}, headers=key("k1"))
        other = http.post("/api/v1/things", json={"a": 2}, headers=key("k1"))
    assert other.status_code == 422
    assert "first used with another request" in other.json()["detail"]
    assert len(ran) == 1


def test_the_same_key_is_another_users_own(store: FakeStore):
    with client(store) as http:
        http.post("/api/v1/things", json={"a": 1}, headers=key("k1"))
    with client(store, User(user_id="u2", name="bob", role="contributor")) as http:
        assert http.post("/api/v1/things", json={"a": 2}, headers=key("k1")).status_code == 201
    assert sorted(store.rows) == ["alice:k1", "bob:k1"]


def test_a_5xx_is_not_stored_so_the_retry_runs_again(store: FakeStore):
    with client(store) as http:
        assert http.post("/api/v1/broken", json={}, headers=key("k1")).status_code == 503
        assert http.post("/api/v1/broken", json={}, headers=key("k1")).status_code == 503
    assert len(ran) == 2 and store.rows == {}


def test_a_response_too_big_to_keep_is_not_stored(store: FakeStore):
    with client(store) as http:
        http.post("/api/v1/big", json={}, headers=key("k1"))
    assert store.rows == {}


def test_a_response_marked_no_store_such_as_a_new_token_is_never_kept(store: FakeStore):
    with client(store) as http:
        first = http.post("/api/v1/secret", json={}, headers=key("k1")).json()
        again = http.post("/api/v1/secret", json={}, headers=key("k1")).json()
    assert store.rows == {} and first != again


def test_a_retry_while_the_first_still_runs_is_a_409_on_the_api(store: FakeStore):
    digest = request_digest("POST", "/api/v1/things", b"", b"{}")
    store.rows["alice:k1"] = Stored(digest=digest, status=None)
    with client(store) as http:
        response = http.post("/api/v1/things", content=b"{}", headers=key("k1"))
    assert response.status_code == 409 and response.headers["retry-after"] == "1"
    assert ran == []


def test_an_invalid_key_is_a_400(store: FakeStore):
    with client(store) as http:
        response = http.post("/api/v1/things", json={}, headers=key("x" * 256))
    assert response.status_code == 400 and "1 to 255 printable" in response.json()["detail"]
    assert ran == []


def test_without_a_key_or_a_user_nothing_is_tracked(store: FakeStore):
    with client(store) as http:
        http.post("/api/v1/things", json={})
        http.post("/api/v1/things", json={})
    with client(store, None) as http:
        http.post("/api/v1/things", json={}, headers=key("k1"))
    assert ran == [None, None, None] and store.rows == {}


def test_a_form_sent_twice_with_its_hidden_key_runs_once(store: FakeStore):
    data = {"title": "x", FORM_FIELD: "form-key-1"}
    with client(store) as http:
        first = http.post("/forms/thing", data=data)
        again = http.post("/forms/thing", data=data)
    assert first.text == again.text == "form 1"
    assert [r.key for r in ran if r] == ["alice:form-key-1"]


def test_a_503_says_whether_the_command_may_have_landed_and_how_to_retry():
    timed_out = ServiceUnavailable("the ideation service did not answer in 1s")
    timed_out.maybe_applied = True
    absent = ServiceUnavailable("the ideation service is not running")
    absent.maybe_applied = False
    assert "a plain retry could apply it twice" in unavailable_detail(timed_out)
    assert "was not applied" in unavailable_detail(absent)
    token = CURRENT.set(IdempotentRequest(key="alice:k1", digest="d"))
    try:
        assert "may still have been applied" in unavailable_detail(timed_out)
        assert "same Idempotency-Key is safe" in unavailable_detail(timed_out)
        assert "same Idempotency-Key is safe" in unavailable_detail(absent)
    finally:
        CURRENT.reset(token)
