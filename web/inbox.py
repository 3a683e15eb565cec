"""The signed-in user's inbox: what waits on them, oldest first, each linking to where it is
handled; the count in the header; and how they want to hear of new items by e-mail."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from litestar import Controller, get, post
from litestar.di import NamedDependency
from litestar.plugins.htmx import HTMXRequest
from litestar.response import Template

from api.auth import current_user
from api.deps import Deps
from api.notifications import NOTIFY, preferences, set_preferences
from api.users import AccountError
from services.projection import inbox_store
from services.projection.views.inbox import InboxItem
from web.pages import PAGE_ERRORS, page, signed_in
from web.timeline import sse_trigger

KINDS = {  # kind -> (label, what the link does)
    "review": ("Review", "Open the review"),
    "overdue": ("Escalated", "Open the review"),
    "condition": ("Condition", "Fulfil it"),
    "recycled": ("Recycled", "See what is missing"),
    "incident": ("Incident", "Open the incident"),
    "draft": ("Draft", "Approve or reject"),
    "obligation": ("EU AI Act", "Open the obligations"),
}
CHOICES = {
    "immediate": "A mail for each new item",
    "digest": "One digest a day",
    "off": "No mail (this page only)",
}
# the events that can put an item in an inbox or take it out
CHANGES = (
    "gate_review_requested",
    "gate_vote_cast",
    "gate_decided",
    "condition_fulfilled",
    "review_overdue",
    "incident_reported",
    "incident_status_changed",
    "incident_acknowledged",
    "incident_escalated",
    "oversight_designed",
    "re_review_requested",
    "re_review_decided",
    "ownership_handed_over",
    "idea_refined",
    "action_held",  # an agent's draft waiting for its approver, and once decided
    "action_approved",
    "action_rejected",
    "action_refused",
    "ai_role_recorded",  # EU AI Act obligations: a role, a status, a risk class change them
    "obligation_status_recorded",
    "risk_class_confirmed",
)
LIVE = sse_trigger(*(f"{name}.v1" for name in CHANGES))


def waited(item: InboxItem, now: datetime) -> str:
    days = int((now - item.since).total_seconds() // 86400)
    return "today" if days < 1 else f"{days} day{'s' if days != 1 else ''}"


async def inbox(
    request: HTMXRequest,
    deps: Deps,
    *,
    flash: tuple[str, str] | None = None,
    status_code: int = 200,
    email: str | None = None,
) -> Template:
    """The page; an htmx refresh gets only the list. `email` keeps what a refused form held."""
    user = current_user(request)
    items = await inbox_store.for_user(deps.reads, user.name, user.role)
    prefs = await preferences(deps.pool, user.name)
    template = "partials/inbox.html" if request.htmx and not flash else "inbox.html"
    context: dict[str, Any] = {"items": items, "kinds": KINDS, "now": datetime.now(UTC)}
    return page(
        template,
        request,
        status_code,
        prefs=prefs,
        choices=CHOICES,
        mail_on=bool(deps.settings.smtp_url),
        flash=flash,
        email=(prefs.email or "") if email is None else email,
        live=LIVE,
        waited=waited,
        **context,
    )


class InboxPage(Controller):
    path = "/inbox"
    guards = [signed_in]
    exception_handlers = PAGE_ERRORS
    include_in_schema = False

    @get("/", name="inbox")
    async def show(self, request: HTMXRequest, deps: NamedDependency[Deps]) -> Template:
        """What waits on you (only the list for an htmx refresh)."""
        return await inbox(request, deps)

    @get("/count", name="inbox_count")
    async def count(self, request: HTMXRequest, deps: NamedDependency[Deps]) -> Template:
        """The header's count of waiting items."""
        user = current_user(request)
        n = await inbox_store.count_for_user(deps.reads, user.name, user.role)
        return page("partials/inbox_count.html", request, count=n)

    @post("/notifications", name="inbox_notifications", status_code=200)
    async def notifications(self, request: HTMXRequest, deps: NamedDependency[Deps]) -> Template:
        """Save your e-mail address and how you hear of new items."""
        form: Any = await request.form()
        email, notify = str(form.get("email", "")), str(form.get("notify", ""))
        try:
            if notify not in NOTIFY:
                raise AccountError("choose how you want to hear of new items")
            await set_preferences(deps.pool, current_user(request).name, email=email, notify=notify)
        except AccountError as exc:
            flash = ("error", str(exc))
            return await inbox(request, deps, flash=flash, status_code=422, email=email)
        return await inbox(
            request, deps, flash=("success", "Your notification settings are saved.")
        )
