"""The signed-in user's profile: who they are and their API tokens, which they can revoke
at once, or add to (a token acts with the user's own role, so it allows nothing more than
the pages do). Only the user's own tokens are shown or touched here."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Response, get, post
from litestar.datastructures import CacheControlHeader
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery
from litestar.plugins.htmx import HTMXRequest
from litestar.response import Redirect, Template

from api.auth import current_user
from api.deps import Deps
from api.tokens import MAX_DAYS, Issued, list_tokens, revoke
from api.users import issue_token
from web.pages import PAGE_ERRORS, page, signed_in


async def profile(
    request: HTMXRequest,
    deps: Deps,
    *,
    flash: tuple[str, str] | None = None,
    issued: Issued | None = None,
    status_code: int = 200,
) -> Template:
    user = current_user(request)
    tokens = await list_tokens(deps.pool, user.name)
    return page(
        "profile.html",
        request,
        status_code,
        tokens=tokens,
        flash=flash,
        issued=issued,
        default_days=deps.settings.token_days,
        max_days=MAX_DAYS,
    )


def days_of(text: str, default: int) -> int:
    """The form's lifetime in days (empty: the default)."""
    text = text.strip()
    if not text:
        return default
    if not text.isdigit():
        raise ValueError("token lifetime: enter a whole number of days")
    return int(text)


class ProfilePage(Controller):
    path = "/profile"
    guards = [signed_in]
    exception_handlers = PAGE_ERRORS
    include_in_schema = False

    @get("/", name="profile")
    async def show(
        self,
        request: HTMXRequest,
        deps: NamedDependency[Deps],
        revoked: FromQuery[str | None] = None,
    ) -> Template:
        """Your account and your API tokens (after a revocation, saying so)."""
        flash = ("success", "The token is revoked: it gets a 401 from now on.") if revoked else None
        return await profile(request, deps, flash=flash)

    @post("/tokens", name="profile_token_post", status_code=200,
          cache_control=CacheControlHeader(no_store=True))  # fmt: skip
    async def create(self, request: HTMXRequest, deps: NamedDependency[Deps]) -> Template:
        """A new token for yourself, shown on this page once."""
        form = await request.form()
        name = str(form.get("name", "")).strip()
        try:
            days = days_of(str(form.get("days", "")), deps.settings.token_days)
            issued = await issue_token(deps.pool, current_user(request).name, name, days)
        except ValueError as exc:  # a bad name or lifetime (AccountError is one too)
            return await profile(request, deps, flash=("error", str(exc)), status_code=422)
        return await profile(request, deps, issued=issued)

    @post("/tokens/{token_id:str}/revoke", name="profile_token_revoke", status_code=303)
    async def revoke(
        self, request: HTMXRequest, deps: NamedDependency[Deps], token_id: FromPath[str]
    ) -> Response[Any]:
        """Revoke one of your tokens: its next request gets a 401."""
        done = await revoke(deps.pool, token_id, current_user(request).user_id)
        if done is None:
            flash = ("error", "No such token of yours.")
            return await profile(request, deps, flash=flash, status_code=404)
        return Redirect(path=f"/profile?revoked={done.token_id}", status_code=303)
