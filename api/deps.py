"""What request handlers need: settings, the database pools and the broker."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Any

from litestar import Request
from litestar.datastructures import State
from litestar.di import NamedDependency
from litestar.exceptions import NotAuthorizedException, NotFoundException

from api.broker import Broker
from api.names import Names
from api.token_cache import TokenCache
from api.users import User
from events.base import Actor
from infra.db import Pool
from infra.settings import Settings
from services.projection import queries

READ_WAIT = 5.0
ID_PATTERN = re.compile(r"[A-Za-z0-9_.:-]{1,64}")


@dataclass
class Deps:
    """`pool` holds the API's own tables (users, tokens, sessions, idempotency, webhooks);
    `reads` the projection's read models, which the API only queries."""

    settings: Settings
    pool: Pool
    broker: Broker
    read_pool: Pool | None = None  # None: the read models are in the API's database
    tokens: TokenCache | None = None  # token -> user for a few seconds; None: ask each time

    @functools.cached_property
    def names(self) -> Names:
        """Accounts by name, kept while the token cache hears every change (api/names.py)."""
        return Names(self.pool, self.tokens)

    @property
    def reads(self) -> Pool:
        return self.pool if self.read_pool is None else self.read_pool


def provide_deps(state: State) -> Deps:
    deps = state.deps
    assert isinstance(deps, Deps)
    return deps


def provide_actor(request: Request[Any, Any, Any], deps: NamedDependency[Deps]) -> Actor:
    """The authenticated user as the actor recorded on the events a command causes.

    It takes `deps` (unused) so that a handler's two dependencies resolve one after the
    other: two independent ones make Litestar start an anyio task group and a task each on
    every request, for two functions that do not wait (7 % of the API's CPU per proposal)."""
    del deps
    user = request.scope.get("user")
    if not isinstance(user, User):
        raise NotAuthorizedException("sign in first")
    return user.actor


async def caught_up(deps: Deps, min_position: int | None) -> None:
    """Wait (bounded) until the read models applied `min_position`: read your own writes.
    After the wait the current state is served even if the projection is behind."""
    if min_position:
        await queries.wait_for_position(deps.reads, min_position, READ_WAIT)


def checked_id(value: str, what: str = "initiative") -> str:
    """Ids that cannot exist are simply not found (not a validation error)."""
    if not ID_PATTERN.fullmatch(value):
        raise NotFoundException(f"no {what} {value[:64]!r}")
    return value
