"""Propose an idea: the API's ProposeIdeaBody as a form; a new initiative in ideation."""

from __future__ import annotations

from typing import Any, get_args

import msgspec
from litestar import Controller, Response, get, post
from litestar.di import NamedDependency
from litestar.plugins.htmx import HTMXRequest
from litestar.response import Redirect, Template

from api.auth import WORKERS, current_user, requires
from api.bodies import ProposeIdeaBody
from api.deps import Deps
from api.dispatch import Accepted, new_initiative_id, send
from api.people import proposal
from api.problems import CommandFailedError
from events.base import Actor
from events.ideation import AiCategory
from web.forms import Field, FormSpec, Parsed, parse
from web.pages import PAGE_ERRORS, page, read_own_write, signed_in
from web.work import form_values, refusal


async def _propose(
    deps: Deps, actor: Actor, _: str, body: msgspec.Struct, __: dict[str, Any]
) -> Accepted:
    """Owner and team names that are users' names become those accounts."""
    assert isinstance(body, ProposeIdeaBody)
    command = await proposal(deps.names, actor, new_initiative_id(), body)
    return await send(deps.broker, "ideation", command)


PROPOSE = FormSpec(
    key="propose", title="Propose an idea", stages=("ideation",), body=ProposeIdeaBody,
    roles=WORKERS, send=_propose, button="Propose",
    fields=(
        Field("title", "Title"),
        Field("problem_statement", "Problem statement", "textarea",
              hint="what goes wrong today, for whom"),
        Field("business_goal", "Business goal", "textarea", hint="the measurable improvement"),
        Field("sponsor", "Sponsor", hint="the executive who backs it"),
        Field("owner", "Owner", hint="a user name makes that account the owner; any other"
              " name stays a name without an account"),
        Field("team", "Team", "list", hint="user names or names, separated by commas",
              required=False),
        Field("ai_category", "AI category", "select", get_args(AiCategory)),
        Field("tags", "Tags", "list", hint="separated by commas", required=False),
    ),
)  # fmt: skip


class ProposePage(Controller):
    path = "/propose"
    guards = [signed_in, requires(*WORKERS)]
    exception_handlers = PAGE_ERRORS
    include_in_schema = False

    @get("/", name="propose")
    async def form(self, request: HTMXRequest) -> Template:
        """An empty proposal; the owner defaults to the signed-in user."""
        parsed = Parsed(values={"owner": current_user(request).name, "ai_category": "other"})
        return page("propose.html", request, spec=PROPOSE, parsed=parsed, flash=None)

    @post("/", name="propose_post", status_code=200)
    async def propose(self, request: HTMXRequest, deps: NamedDependency[Deps]) -> Response[Any]:
        """Start a new initiative; errors re-render the form next to the fields."""
        parsed = parse(PROPOSE, await form_values(request))
        flash = None
        if parsed.body is not None:
            try:
                done = await PROPOSE.send(deps, current_user(request).actor, "", parsed.body, {})
            except CommandFailedError as exc:
                flash = ("error", refusal(exc))
            else:
                await read_own_write(deps, done.position)
                return Redirect(path=f"/initiatives/{done.id}", status_code=303)
        return page("propose.html", request, spec=PROPOSE, parsed=parsed, flash=flash)
