"""Sign in with a name and password (a session in PostgreSQL, its token in a cookie), and
sign out. Failed sign-ins slow down and then lock the name and the client address
(api.signin); a held-back attempt is a 429 with Retry-After, its password not checked."""

from __future__ import annotations

import math
from datetime import UTC, datetime
from typing import Any

from litestar import Controller, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromQuery
from litestar.plugins.htmx import HTMXRequest
from litestar.response import Redirect

from api import sessions
from api.auth import SESSION_COOKIE
from api.deps import Deps
from api.signin import Refused, SignIn
from web.pages import UNREACHABLE, page, user_of

MISSING = "Enter your name and password."
WRONG = "That name and password do not match."


def safe_next(target: str | None) -> str:
    """Only a path on this site: never another host."""
    if not target or not target.startswith("/") or target.startswith("//"):
        return "/"
    return target


def held_back(refused: Refused) -> str:
    """What a refused attempt tells the person (the same for known and unknown names)."""
    whom = "this name" if refused.by == "name" else "your address"
    if refused.locked:
        minutes = math.ceil(refused.wait / 60)
        return (
            f"Sign-in for {whom} is locked for {minutes} more minute{'s' * (minutes != 1)} "
            "after repeated failed attempts."
        )
    seconds = math.ceil(refused.wait)
    return f"Too many failed sign-ins for {whom}: try again in {seconds} s."


class SessionPages(Controller):
    path = "/"
    include_in_schema = False
    exception_handlers = UNREACHABLE

    @get("/signin", name="signin")
    async def form(self, request: HTMXRequest, next: FromQuery[str | None] = None) -> Response[Any]:
        """The sign-in page (a signed-in user goes straight on)."""
        if user_of(request) is not None:
            return Redirect(path=safe_next(next), status_code=303)
        return page("signin.html", request, next=safe_next(next), name="", error="")

    @post("/signin", name="signin_post", status_code=200)
    async def signin(self, request: HTMXRequest, deps: NamedDependency[Deps]) -> Response[Any]:
        """Check the password (unless held back); on success start a session and go on."""
        form = await request.form()
        name, password = str(form.get("name", "")).strip(), str(form.get("password", ""))
        target = safe_next(str(form.get("next", "/")))
        if not (name and password):
            return page("signin.html", request, next=target, name=name, error=MISSING)
        address = request.client.host if request.client else "unknown"
        outcome = await SignIn(deps.pool, deps.settings).attempt(name, password, address)
        if outcome.refused is not None:
            wait = str(math.ceil(outcome.refused.wait))
            return page(
                "signin.html",
                request,
                status_code=429,
                headers={"Retry-After": wait},
                next=target,
                name=name,
                error=held_back(outcome.refused),
            )
        if outcome.user is None:
            return page("signin.html", request, next=target, name=name, error=WRONG)
        limits = sessions.Limits.of(deps.settings)
        value = await sessions.start(deps.pool, outcome.user.user_id, limits, datetime.now(UTC))
        response: Response[Any] = Redirect(path=target, status_code=303)
        response.set_cookie(
            SESSION_COOKIE,
            value,
            path="/",
            max_age=int(limits.absolute.total_seconds()),
            httponly=True,
            samesite="lax",
            secure=deps.settings.secure_cookies,
        )
        return response

    @post("/signout", name="signout", status_code=303)
    async def signout(self, request: HTMXRequest, deps: NamedDependency[Deps]) -> Response[Any]:
        """End the session (also for any copy of the cookie) and forget the cookie."""
        cookie = request.cookies.get(SESSION_COOKIE)
        if cookie:
            await sessions.end(deps.pool, cookie)
        response: Response[Any] = Redirect(path="/signin", status_code=303)
        response.delete_cookie(SESSION_COOKIE, path="/")
        return response
