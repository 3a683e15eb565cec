"""Posting stage work, a gate review request, a fulfilled condition, a resume or a
handover of ownership.

Each form is validated with the API's body Struct and sent through the API's dispatch;
errors come back as the form again with 200 (htmx 2 does not swap 4xx), a refusal by the
stage service as a message above the form. Without htmx a success redirects to the page.
"""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Controller, Response, post
from litestar.di import NamedDependency
from litestar.exceptions import NotFoundException, PermissionDeniedException
from litestar.params import FromPath
from litestar.plugins.htmx import HTMXRequest
from litestar.response import Redirect

from api.auth import REVIEW_REQUESTERS, STEWARDS, WORKERS, current_user, requires
from api.bodies import FulfilBody, GateReviewBody, OwnerBody, ResumeBody
from api.deps import Deps, checked_id
from api.dispatch import Accepted, record_at_current_stage
from api.idempotency import FORM_FIELD
from api.people import new_owner
from api.problems import CommandFailedError
from events import gates
from events.base import Command
from events.people import HandOverOwnership
from web.forms import parse
from web.initiative import context
from web.pages import PAGE_ERRORS, page, read_own_write, signed_in
from web.stage_forms import BY_KEY

RECORDED = {"HX-Trigger": "tollgate:recorded"}


def refusal(exc: CommandFailedError) -> str:
    """The service's reason; the unmet criteria unless the reason already lists them."""
    detail, unmet = exc.problem.detail, "; ".join(exc.problem.unmet)
    return detail if not unmet or unmet in detail else f"{detail} Unmet: {unmet}"


async def form_values(request: HTMXRequest) -> dict[str, str]:
    form = await request.form()
    return {k: str(v) for k, v in form.items() if k not in ("_csrf_token", FORM_FIELD)}


class WorkPosts(Controller):
    path = "/initiatives/{initiative_id:str}"
    guards = [signed_in]
    exception_handlers = PAGE_ERRORS
    include_in_schema = False

    @post("/forms/{key:str}", name="work", status_code=200)
    async def work(
        self, request: HTMXRequest, deps: NamedDependency[Deps], initiative_id: FromPath[str],
        key: FromPath[str],
    ) -> Response[Any]:  # fmt: skip
        """Record one piece of stage work from its form."""
        spec = BY_KEY.get(key)
        if spec is None:
            raise NotFoundException(f"no form {key!r}")
        user = current_user(request)
        if user.role not in spec.roles:
            roles = " or ".join(spec.roles)
            raise PermissionDeniedException(
                f"{user.name} has the {user.role} role; {spec.title} needs {roles}"
            )
        parsed = parse(spec, await form_values(request))
        flash: tuple[str, str] | None = None
        if parsed.body is not None:
            try:
                done = await spec.send(deps, user.actor, initiative_id, parsed.body, parsed.extra)
            except CommandFailedError as exc:
                flash = ("error", refusal(exc))
            else:
                await read_own_write(deps, done.position)
                if not request.htmx:
                    return Redirect(path=f"/initiatives/{initiative_id}", status_code=303)
                ctx = await context(deps, user, initiative_id, None)
                return page("partials/form.html", request, spec=spec, parsed=None,
                            flash=("success", f"{spec.title} recorded."), headers=RECORDED,
                            **ctx)  # fmt: skip
        ctx = await context(deps, user, initiative_id, None)
        template = "partials/form.html" if request.htmx else "form_page.html"
        return page(template, request, spec=spec, parsed=parsed, flash=flash, **ctx)

    async def _act(
        self, request: HTMXRequest, deps: Deps, initiative_id: str, *,
        command: type[Command], body: Any, done_text: str, **fields: Any,
    ) -> Response[Any]:  # fmt: skip
        user = current_user(request)
        flash = ("success", done_text)
        try:
            done: Accepted = await record_at_current_stage(
                deps.broker, user.actor, initiative_id, command_type=command,
                body=body, **fields,
            )  # fmt: skip
            await read_own_write(deps, done.position)
        except CommandFailedError as exc:
            flash = ("error", refusal(exc))
        if not request.htmx and flash[0] == "success":
            return Redirect(path=f"/initiatives/{initiative_id}", status_code=303)
        return await self._show(request, deps, initiative_id, flash)

    async def _show(
        self, request: HTMXRequest, deps: Deps, initiative_id: str, flash: tuple[str, str]
    ) -> Response[Any]:
        ctx = await context(deps, current_user(request), initiative_id, None)
        template = "partials/initiative_live.html" if request.htmx else "initiative.html"
        return page(template, request, flash=flash, headers=RECORDED, **ctx)

    @post("/gate-review", name="gate_review", status_code=200,
          guards=[requires(*REVIEW_REQUESTERS)])  # fmt: skip
    async def gate_review(
        self, request: HTMXRequest, deps: NamedDependency[Deps], initiative_id: FromPath[str]
    ) -> Response[Any]:
        """Ask the steering committee to review the current gate."""
        return await self._act(
            request, deps, initiative_id, command=gates.RequestGateReview,
            body=GateReviewBody(), done_text="Gate review requested.",
        )  # fmt: skip

    @post("/conditions/{condition_id:str}/fulfil", name="fulfil", status_code=200,
          guards=[requires(*STEWARDS)])  # fmt: skip
    async def fulfil(
        self, request: HTMXRequest, deps: NamedDependency[Deps], initiative_id: FromPath[str],
        condition_id: FromPath[str],
    ) -> Response[Any]:  # fmt: skip
        """Mark a condition of a conditional go fulfilled, with optional evidence."""
        evidence = (await form_values(request)).get("evidence", "").strip()[:200] or None
        return await self._act(
            request, deps, initiative_id, command=gates.FulfilCondition,
            body=FulfilBody(evidence=evidence), done_text="Condition marked fulfilled.",
            condition_id=checked_id(condition_id, "condition"),
        )  # fmt: skip

    @post("/resume", name="resume", status_code=200, guards=[requires(*STEWARDS)])
    async def resume(
        self, request: HTMXRequest, deps: NamedDependency[Deps], initiative_id: FromPath[str]
    ) -> Response[Any]:
        """Resume an initiative on hold into the same stage."""
        reason = (await form_values(request)).get("reason", "").strip()[:200] or None
        return await self._act(
            request, deps, initiative_id, command=gates.Resume,
            body=ResumeBody(reason=reason), done_text="Initiative resumed.",
        )  # fmt: skip

    @post("/owner", name="hand_over", status_code=200, guards=[requires(*WORKERS, "committee")])
    async def hand_over(
        self, request: HTMXRequest, deps: NamedDependency[Deps], initiative_id: FromPath[str]
    ) -> Response[Any]:
        """Hand the initiative's ownership over: to an account, or to a name without one."""
        values = await form_values(request)
        given = {
            "owner": values.get("owner", "").strip(),
            "reason": values.get("reason", "").strip() or None,
        }
        try:
            body = msgspec.convert(given, OwnerBody)
            owner = await new_owner(deps.names, body.owner)
        except msgspec.ValidationError:
            flash = ("error", "Name the new owner (a user name, or a name up to 200 characters).")
            return await self._show(request, deps, initiative_id, flash)
        except CommandFailedError as exc:
            return await self._show(request, deps, initiative_id, ("error", refusal(exc)))
        return await self._act(
            request,
            deps,
            initiative_id,
            command=HandOverOwnership,
            body=body,
            done_text=f"Ownership handed over to {owner.name}.",
            owner=owner.name,
            owner_account=owner.account,
        )
