"""The steering committee's review queue: pending reviews oldest first, each with its
readiness, the votes cast against the gate's quorum, and the decision form."""

from __future__ import annotations

from itertools import pairwise
from typing import Any, get_args

import msgspec
from litestar import Controller, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.plugins.htmx import HTMXRequest
from litestar.response import Redirect, Template

from api.auth import DECIDERS, current_user, people_only, requires
from api.bodies import DecisionBody
from api.deps import Deps
from api.dispatch import Accepted, cast_vote
from api.problems import CommandFailedError
from api.users import User
from events.base import STAGES, Actor
from events.criteria import QUORUM
from events.gates import Decision
from services.projection import queries
from web.forms import Field, FormSpec, Parsed, parse
from web.pages import PAGE_ERRORS, may, page, read_own_write, signed_in
from web.timeline import sse_trigger
from web.work import form_values, refusal


async def _decide(
    deps: Deps, actor: Actor, iid: str, body: msgspec.Struct, _: dict[str, Any]
) -> Accepted:
    assert isinstance(body, DecisionBody)
    return await cast_vote(deps.broker, actor, iid, body)


DECIDE = FormSpec(
    key="decision", title="Decision", stages=("ideation", "poc", "pilot", "mvp"),
    body=DecisionBody, roles=DECIDERS, send=_decide, button="Cast vote",
    fields=(
        Field("decision", "Decision", "select", get_args(Decision)),
        Field("rationale", "Rationale", "textarea", hint="why; recorded with the decision"),
        Field("conditions", "Conditions", "lines", required=False,
              hint="for a conditional go: one condition per line"),
    ),
)  # fmt: skip


def check_conditions(parsed: Parsed) -> None:
    if parsed.values.get("decision") == "conditional_go" and not parsed.values.get("conditions"):
        parsed.errors["conditions"] = "A conditional go needs at least one condition"
        parsed.body = None


async def queue(deps: Deps, user: User | None) -> dict[str, Any]:
    items = await queries.review_queue(deps.reads)
    votes = {item.initiative_id: item.ballots for item in items}
    can = may(user, DECIDERS) and user is not None and user.kind == "person"
    return {"items": items, "votes": votes, "quorum": QUORUM, "can_decide": can, "spec": DECIDE,
            "next_stage": dict(pairwise(STAGES)),
            "state_trigger": sse_trigger("gate_review_requested.v1", "gate_decided.v1",
                                         "gate_vote_cast.v1", "re_review_requested.v1",
                                         "re_review_decided.v1")}  # fmt: skip


class ReviewPages(Controller):
    path = "/reviews"
    guards = [signed_in]
    exception_handlers = PAGE_ERRORS
    include_in_schema = False

    @get("/", name="reviews")
    async def show(self, request: HTMXRequest, deps: NamedDependency[Deps]) -> Template:
        """The queue, or only its list for an htmx request."""
        ctx = await queue(deps, current_user(request))
        template = "partials/reviews.html" if request.htmx else "reviews.html"
        return page(template, request, forms={}, flash=None, **ctx)

    @post("/{initiative_id:str}/decision", name="decide", status_code=200,
          guards=[requires(*DECIDERS), people_only])  # fmt: skip
    async def decide(
        self, request: HTMXRequest, deps: NamedDependency[Deps], initiative_id: FromPath[str]
    ) -> Response[Any]:
        """Cast a vote; errors come back next to the fields of that review's form."""
        user = current_user(request)
        parsed = parse(DECIDE, await form_values(request))
        check_conditions(parsed)
        flash = None
        if parsed.body is not None:
            try:
                done = await DECIDE.send(deps, user.actor, initiative_id, parsed.body, {})
            except CommandFailedError as exc:
                flash = ("error", refusal(exc))
            else:
                await read_own_write(deps, done.position)
                if not request.htmx:
                    return Redirect(path="/reviews", status_code=303)
                text = f"Your vote ({parsed.values['decision'].replace('_', ' ')}) is recorded."
                flash, parsed = ("success", text), Parsed()
        ctx = await queue(deps, user)
        template = "partials/reviews.html" if request.htmx else "reviews.html"
        return page(template, request, forms={initiative_id: parsed}, flash=flash,
                    flash_for=initiative_id, **ctx)  # fmt: skip
