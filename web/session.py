"""Sign in with a name and password (a signed session cookie), and sign out."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromQuery
from litestar.plugins.htmx import HTMXRequest
from litestar.response import Redirect

from api.auth import SESSION_COOKIE, SESSION_SECONDS, session_value
from api.deps import Deps
from api.users import check_password
from web.pages import UNREACHABLE, page, user_of


def safe_next(target: str | None) -> str:
    """Only a path on this site: never another host."""
    if not target or not target.startswith("/") or target.startswith("//"):
        return "/"
    return target


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
        """Check the password; on success set the session cookie and go on."""
        form = await request.form()
        name, password = str(form.get("name", "")).strip(), str(form.get("password", ""))
        target = safe_next(str(form.get("next", "/")))
        user = await check_password(deps.pool, name, password) if name and password else None
        if user is None:
            error = "Enter your name and password." if not (name and password) else (
                "That name and password do not match.")  # fmt: skip
            return page("signin.html", request, next=target, name=name, error=error)
        response: Response[Any] = Redirect(path=target, status_code=303)
        response.set_cookie(
            SESSION_COOKIE, session_value(deps.settings.secret, user.user_id), path="/",
            max_age=SESSION_SECONDS, httponly=True, samesite="lax",
        )  # fmt: skip
        return response

    @post("/signout", name="signout", status_code=303)
    async def signout(self) -> Response[Any]:
        """Forget the session cookie."""
        response: Response[Any] = Redirect(path="/signin", status_code=303)
        response.delete_cookie(SESSION_COOKIE, path="/")
        return response
