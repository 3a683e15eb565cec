"""Authentication (Bearer tokens for /api/v1, a session cookie for the pages) and
role guards (PRODUCT.md section 4).

viewer reads; contributor proposes and records stage work; owner also requests gate
reviews, fulfils conditions and resumes; committee decides gates (people only), fulfils
conditions and resumes; admin may do everything a contributor and owner may, plus users
and subscriptions. The stage services check the same rules again on every command.
"""

from __future__ import annotations

import contextlib
from datetime import UTC, datetime
from typing import Any

from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException, PermissionDeniedException
from litestar.handlers.base import BaseRouteHandler
from litestar.middleware import AbstractAuthenticationMiddleware, AuthenticationResult
from litestar.types import Guard

from api import screening, sessions
from api.deps import ID_PATTERN, Deps
from api.problems import CommandFailedError
from api.users import TokenRefused, User, user_by_id, user_for_token
from events.agents import ActionKind
from events.base import Role
from infra.commands import ServiceUnavailable
from infra.db import unavailable_as_error

API_PREFIX = "/api/v1"
SESSION_COOKIE = "tollgate_session"

READERS: tuple[Role, ...] = ("viewer", "contributor", "owner", "committee", "admin")
WORKERS: tuple[Role, ...] = ("contributor", "owner", "admin")
REVIEW_REQUESTERS: tuple[Role, ...] = ("owner", "admin")
DECIDERS: tuple[Role, ...] = ("committee",)
STEWARDS: tuple[Role, ...] = ("owner", "committee", "admin")
ADMINS: tuple[Role, ...] = ("admin",)


class AuthMiddleware(AbstractAuthenticationMiddleware):
    """API paths need a Bearer token; other paths may carry a session cookie (or nothing)."""

    async def authenticate_request(
        self, connection: ASGIConnection[Any, Any, Any, Any]
    ) -> AuthenticationResult:
        deps = connection.app.state.deps
        assert isinstance(deps, Deps)
        token = bearer(connection.headers.get("authorization", ""))
        if token is not None:
            try:
                with unavailable_as_error():  # a 503 with Retry-After, not a 500
                    holder = await (deps.tokens.user(token) if deps.tokens
                                    else user_for_token(deps.pool, token))  # fmt: skip
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
        with unavailable_as_error():
            signed_in = await session_user(deps, cookie) if cookie else None
        if signed_in is None and connection.url.path.startswith(API_PREFIX):
            raise NotAuthorizedException("the session has expired; sign in again")
        return AuthenticationResult(user=signed_in, auth=cookie)


def bearer(header: str) -> str | None:
    """The token of an `Authorization: Bearer <token>` header; None without one."""
    scheme, _, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


async def session_user(deps: Deps, cookie: str) -> User | None:
    """The active user of a live session (idle and absolute limits: api.sessions)."""
    limits = sessions.Limits.of(deps.settings)
    user_id = await sessions.user_id_of(deps.pool, cookie, limits, datetime.now(UTC))
    return await user_by_id(deps.pool, user_id) if user_id else None


def current_user(connection: ASGIConnection[Any, Any, Any, Any]) -> User:
    user = connection.scope.get("user")
    if not isinstance(user, User):
        raise NotAuthorizedException("sign in first")
    return user


async def refused_vote(
    connection: ASGIConnection[Any, Any, Any, Any], user: User,
    action: ActionKind = "decide-gate",
) -> None:  # fmt: skip
    """An agent's vote is recorded as refused and escalated (PRODUCT.md 9): best effort,
    the 403 stands whatever the agents service answers."""
    initiative_id = str(connection.path_params.get("initiative_id", ""))
    if ID_PATTERN.fullmatch(initiative_id):
        with contextlib.suppress(ServiceUnavailable, CommandFailedError):
            deps = connection.app.state.deps
            await screening.refuse_never(deps.broker, user.actor, action, initiative_id)


def agents_never(action: ActionKind, doing: str) -> Guard:
    """What an agent never does whatever its role or policy (fulfil a condition): refused
    before its role is looked at, so that it is recorded as refused and escalated too."""

    async def guard(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
        user = current_user(connection)
        if user.kind != "person":
            await refused_vote(connection, user, action)
            raise PermissionDeniedException(
                f"{user.name} is an AI agent: agents never {doing}, whatever their policy says;"
                " recorded and escalated to the agent's supervisor"
            )

    return guard


def requires(*roles: Role) -> Guard:
    """A guard letting through users holding one of `roles` (admin counts for its own lists)."""

    # async: Litestar runs a plain function guard in a worker thread, a hop per request
    async def guard(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
        user = current_user(connection)
        if user.role not in roles:
            raise PermissionDeniedException(
                f"{user.name} has the {user.role} role; this needs {' or '.join(roles)}"
            )

    return guard


async def people_only(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    user = current_user(connection)
    if user.kind != "person":
        await refused_vote(connection, user)
        raise PermissionDeniedException(
            f"{user.name} is an AI agent: agents never decide gates or vote; decisions stay"
            " with people"
        )
