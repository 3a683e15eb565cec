"""Authentication (Bearer tokens for /api/v1, a signed session cookie for the pages) and
role guards (PRODUCT.md section 4).

viewer reads; contributor proposes and records stage work; owner also requests gate
reviews, fulfils conditions and resumes; committee decides gates (people only), fulfils
conditions and resumes; admin may do everything a contributor and owner may, plus users
and subscriptions. The stage services check the same rules again on every command.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from typing import Any

from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException, PermissionDeniedException
from litestar.handlers.base import BaseRouteHandler
from litestar.middleware import AbstractAuthenticationMiddleware, AuthenticationResult
from litestar.types import Guard

from api.deps import Deps
from api.users import TokenRefused, User, user_by_id, user_for_token
from events.base import Role
from infra.db import unavailable_as_error

API_PREFIX = "/api/v1"
SESSION_COOKIE = "tollgate_session"
SESSION_SECONDS = 12 * 3600

READERS: tuple[Role, ...] = ("viewer", "contributor", "owner", "committee", "admin")
WORKERS: tuple[Role, ...] = ("contributor", "owner", "admin")
REVIEW_REQUESTERS: tuple[Role, ...] = ("owner", "admin")
DECIDERS: tuple[Role, ...] = ("committee",)
STEWARDS: tuple[Role, ...] = ("owner", "committee", "admin")
ADMINS: tuple[Role, ...] = ("admin",)


def session_value(secret: str, user_id: str, now: float | None = None) -> str:
    """A cookie value naming the user until it expires, signed with the app secret."""
    expires = int((now or time.time()) + SESSION_SECONDS)
    payload = f"{user_id}.{expires}"
    return f"{payload}.{_sign(secret, payload)}"


def session_user_id(secret: str, value: str, now: float | None = None) -> str | None:
    user_id, _, rest = value.partition(".")
    expires, _, signature = rest.partition(".")
    if not expires.isdigit() or not hmac.compare_digest(
        signature, _sign(secret, f"{user_id}.{expires}")
    ):
        return None
    return user_id if int(expires) > (now or time.time()) else None


def _sign(secret: str, payload: str) -> str:
    return hmac.new(secret.encode(), payload.encode(), hashlib.sha256).hexdigest()


class AuthMiddleware(AbstractAuthenticationMiddleware):
    """API paths need a Bearer token; other paths may carry a session cookie (or nothing)."""

    async def authenticate_request(
        self, connection: ASGIConnection[Any, Any, Any, Any]
    ) -> AuthenticationResult:
        deps = connection.app.state.deps
        assert isinstance(deps, Deps)
        header = connection.headers.get("authorization", "")
        scheme, _, token = header.partition(" ")
        if scheme.lower() == "bearer" and token.strip():
            try:
                with unavailable_as_error():  # a 503 with Retry-After, not a 500
                    holder = await user_for_token(deps.pool, token.strip())
            except TokenRefused as exc:  # unknown, revoked, expired, or the user deactivated
                raise NotAuthorizedException(f"{exc}; use another token") from None
            return AuthenticationResult(user=holder, auth=token)
        # Writes to the API need the token; reads may use the pages' session (EventSource
        # cannot send headers), which keeps cookie-authenticated writes out of CSRF's reach.
        if connection.url.path.startswith(API_PREFIX) and (
            connection.scope.get("method") not in ("GET", "HEAD")
            or SESSION_COOKIE not in connection.cookies
        ):
            raise NotAuthorizedException("send `Authorization: Bearer <token>` with every request")
        cookie = connection.cookies.get(SESSION_COOKIE)
        user_id = session_user_id(deps.settings.secret, cookie) if cookie else None
        with unavailable_as_error():
            user = await user_by_id(deps.pool, user_id) if user_id else None
        if user is None and connection.url.path.startswith(API_PREFIX):
            raise NotAuthorizedException("the session has expired; sign in again")
        return AuthenticationResult(user=user, auth=cookie)


def current_user(connection: ASGIConnection[Any, Any, Any, Any]) -> User:
    user = connection.scope.get("user")
    if not isinstance(user, User):
        raise NotAuthorizedException("sign in first")
    return user


def requires(*roles: Role) -> Guard:
    """A guard letting through users holding one of `roles` (admin counts for its own lists)."""

    def guard(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
        user = current_user(connection)
        if user.role not in roles:
            raise PermissionDeniedException(
                f"{user.name} has the {user.role} role; this needs {' or '.join(roles)}"
            )

    return guard


def people_only(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    user = current_user(connection)
    if user.kind != "person":
        raise PermissionDeniedException(
            f"{user.name} is an AI agent: agents never decide gates or vote; decisions stay"
            " with people"
        )
