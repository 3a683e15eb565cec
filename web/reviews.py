"""The steering committee's review queue: pending reviews oldest first, each with its
readiness, the tally of the members' current votes against the gate's quorum, and the
decision form, which names its gate.

A vote answers with its own card (htmx retargets the reply to it), the outcome next to
it; a decision the member voted on stays in place of its card for a while, with its
replay one click away. The outcome survives the queue's live refreshes (hx-preserve).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
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
from api.dispatch import RE_REVIEW, Accepted, cast_vote
from api.problems import CommandFailedError
from api.users import User
from events.base import STAGES, Actor
from events.criteria import QUORUM
from events.gates import Decision
from services.projection import agents_queries, inbox_store, queries
from web.forms import Field, FormSpec, Parsed, parse
from web.pages import PAGE_ERRORS, may, page, read_own_write, signed_in
from web.timeline import sse_trigger
from web.work import form_values, refusal

GATES = ("G1", "G2", "G3", "G4", "re-review")
RECENT = timedelta(minutes=15)  # how long a decision stays in place of its card
RE_REVIEW_CHOICES = {"decision": [("go", "go: keep it running"), ("kill", "kill: retire it")]}


async def _decide(
    deps: Deps, actor: Actor, iid: str, body: msgspec.Struct, _: dict[str, Any]
) -> Accepted:
    assert isinstance(body, DecisionBody)
    return await cast_vote(deps.broker, actor, iid, body)


DECIDE = FormSpec(
    key="decision",
    title="Decision",
    stages=("ideation", "poc", "pilot", "mvp"),
    body=DecisionBody,
    roles=DECIDERS,
    send=_decide,
    button="Cast vote",
    fields=(
        Field("gate", "Gate", "hidden", GATES, required=False),
        Field("decision", "Decision", "select", get_args(Decision)),
        Field("rationale", "Rationale", "textarea", hint="why; recorded with the decision"),
        Field(
            "conditions",
            "Conditions",
            "lines",
            required=False,
            hint="for a conditional go: one condition per line",
        ),
    ),
)
RE_REVIEW_FIELDS = (Field("decision", "Decision", "select"), DECIDE.fields[2])


@dataclass(frozen=True)
class Moved:
    """An initiative no longer waiting for the vote sent: its card, for the refusal."""

    initiative_id: str
    title: str
    kind: str = "moved"


def check_choices(parsed: Parsed) -> None:
    """Conditions only with a conditional go; a re-review knows only go and kill."""
    decision = parsed.values.get("decision")
    if decision == "conditional_go" and not parsed.values.get("conditions"):
        parsed.errors["conditions"] = "A conditional go needs at least one condition"
    if parsed.values.get("gate") == "re-review" and decision and decision not in RE_REVIEW:
        parsed.errors["decision"] = "Choose go (keep it running) or kill (retire it)"
    if parsed.errors:
        parsed.body = None


def recorded(parsed: Parsed, done: Accepted) -> str:
    decision = parsed.values["decision"].replace("_", " ")
    if parsed.values.get("gate") == "re-review":
        return "Your decision is recorded: " + (
            "kill: retire it." if decision == "kill" else "go: keep it running."
        )
    if len(done.event_ids) > 1:
        return (
            f"Your vote ({decision}) is recorded and decides {parsed.values['gate']}: {decision}."
        )
    return f"Your vote ({decision}) is recorded."


async def queue(deps: Deps, user: User | None, keep: str | None = None) -> dict[str, Any]:
    """The pending reviews, and in their places the decisions `user` voted on lately; with
    `keep`, that initiative has an entry whatever happened to it."""
    items: list[Any] = list(await queries.review_queue(deps.reads))
    pending = {i.initiative_id for i in items}
    if user is not None:
        since = datetime.now(UTC) - RECENT
        recent = await queries.recent_decisions(deps.reads, user.name, since)
        items += [d for d in recent if d.initiative_id not in pending]
        items.sort(key=lambda i: (i.requested_at or i.at, i.initiative_id))
    if keep is not None and keep not in {i.initiative_id for i in items}:
        detail = await queries.get_initiative(deps.reads, keep)
        items.append(Moved(keep, detail.summary.title if detail else keep))
    can = may(user, DECIDERS) and user is not None and user.kind == "person"
    return {
        "items": items,
        "quorum": QUORUM,
        "can_decide": can,
        "spec": DECIDE,
        "re_review_fields": RE_REVIEW_FIELDS,
        "re_review_choices": RE_REVIEW_CHOICES,
        "next_stage": dict(pairwise(STAGES)),
        "pending": pending,
        "overdue": await inbox_store.overdue_reviews(deps.reads),  # past their service level
        "reentries": await agents_queries.suspensions(deps.reads, open_only=True),  # agents
        "state_trigger": sse_trigger(
            "gate_review_requested.v1",
            "gate_decided.v1",
            "gate_vote_cast.v1",
            "re_review_requested.v1",
            "re_review_decided.v1",
            "review_overdue.v1",
        ),
    }


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
        return page(template, request, forms={}, outcomes={}, **ctx)

    @post(
        "/{initiative_id:str}/decision",
        name="decide",
        status_code=200,
        guards=[requires(*DECIDERS), people_only],
    )
    async def decide(
        self, request: HTMXRequest, deps: NamedDependency[Deps], initiative_id: FromPath[str]
    ) -> Response[Any]:
        """Cast a vote for the gate the form names; errors and the outcome come back in
        that initiative's card (htmx: only the card, via HX-Reselect)."""
        user = current_user(request)
        parsed = parse(DECIDE, await form_values(request))
        check_choices(parsed)
        outcome = None
        if parsed.body is not None:
            try:
                done = await DECIDE.send(deps, user.actor, initiative_id, parsed.body, {})
            except CommandFailedError as exc:
                outcome = ("error", refusal(exc))
            else:
                await read_own_write(deps, done.position)
                if not request.htmx:
                    return Redirect(path="/reviews", status_code=303)
                outcome, parsed = ("success", recorded(parsed, done)), Parsed()
        ctx = await queue(deps, user, keep=initiative_id)
        card = "review" if initiative_id in ctx["pending"] else "decided"
        template = "partials/reviews.html" if request.htmx else "reviews.html"
        return page(
            template,
            request,
            forms={initiative_id: parsed},
            outcomes={initiative_id: outcome} if outcome else {},
            headers={"HX-Reselect": f"#{card}-{initiative_id}"},
            **ctx,
        )
