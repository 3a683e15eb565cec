"""The caller's inbox (what waits on them, oldest first) and how they are notified of it."""

from __future__ import annotations

from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, Response, get, patch
from litestar.di import NamedDependency
from litestar.params import JSONBody

from api.auth import READERS, current_user, requires
from api.deps import Deps, caught_up
from api.notifications import Notify, Preferences, preferences, set_preferences
from api.problems import ProblemBody, problem
from api.routes.initiatives import MinPosition
from api.users import AccountError
from events.base import STORABLE
from services.projection import inbox_store
from services.projection.views.inbox import InboxItem


class Inbox(msgspec.Struct, frozen=True, kw_only=True):
    items: list[InboxItem]
    total: int


class NotificationsPatch(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """What to change; a field left out (or null) stays as it is. `email` "" removes the
    address."""

    email: Annotated[str, msgspec.Meta(max_length=320, pattern=STORABLE)] | None = None
    notify: Notify | None = None


def on_account_error(_: Request[Any, Any, Any], exc: AccountError) -> Response[ProblemBody]:
    return problem(422, str(exc))


class InboxController(Controller):
    path = "/"
    tags = ["inbox"]
    guards = [requires(*READERS)]
    exception_handlers = {AccountError: on_account_error}

    @get("/inbox", operation_id="getInbox")
    async def inbox(
        self,
        request: Request[Any, Any, Any],
        deps: NamedDependency[Deps],
        min_position: MinPosition = None,
    ) -> Inbox:
        """What waits on you, oldest first: reviews to decide (committee members, until they
        voted), conditions to fulfil (owner, team and committee), recycled work (owner and
        team), open incidents you are accountable for, and reviews escalated to you as the
        committee chair. Each item links to the page where it is handled and leaves the
        inbox when done, and AI agents' drafts you approve (kind `draft`, see /approvals).
        EU AI Act obligations (kind `obligation`) wait on the owner and team: a serious
        incident's Art. 73 report until met (urgent, `due_at` its deadline, `overdue` once
        that has passed), and after launch each duty due before launch that is not met."""
        await caught_up(deps, min_position)
        user = current_user(request)
        found = await inbox_store.for_user(deps.reads, user.name, user.role)
        return Inbox(items=found, total=len(found))

    @get("/notifications", operation_id="getNotifications")
    async def notifications(
        self, request: Request[Any, Any, Any], deps: NamedDependency[Deps]
    ) -> Preferences:
        """Your e-mail address and how you hear of new inbox items: `immediate` (a mail per
        item), `digest` (one mail a day) or `off`."""
        return await preferences(deps.pool, current_user(request).name)

    @patch("/notifications", operation_id="setNotifications")
    async def set_notifications(
        self,
        request: Request[Any, Any, Any],
        deps: NamedDependency[Deps],
        data: JSONBody[NotificationsPatch],
    ) -> Preferences:
        """Set your e-mail address (`""` removes it) and/or `notify`."""
        name = current_user(request).name
        return await set_preferences(deps.pool, name, email=data.email, notify=data.notify)
