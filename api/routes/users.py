"""Users and their API tokens (admin only); revoking a token (its holder may too).

A token is shown once, in the response that makes it; only its hash is stored. No user is
ever of kind `system` or named `system`: that actor is Tollgate's own automatic handoffs.
The last active admin cannot be demoted or deactivated (409).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, Response, delete, get, patch, post
from litestar.datastructures import CacheControlHeader
from litestar.di import NamedDependency
from litestar.exceptions import NotFoundException, ValidationException
from litestar.params import FromPath, JSONBody

from api.auth import ADMINS, READERS, current_user, requires
from api.deps import Deps
from api.notifications import checked_email, set_preferences
from api.problems import ProblemBody, problem
from api.tokens import MAX_DAYS, Token, list_tokens
from api.tokens import revoke as revoke_token
from api.users import (
    NAME,
    RESERVED,
    Account,
    AccountError,
    LastAdmin,
    UnknownUser,
    UserExists,
    account,
    add_user,
    issue_token,
    list_users,
    set_password,
    update_user,
)
from events.base import STORABLE, SYSTEM, Role, UserKind

Name = Annotated[str, msgspec.Meta(pattern=r"^[A-Za-z0-9_.:-]{1,64}$")]
Password = Annotated[str, msgspec.Meta(min_length=8, max_length=200)]
TokenName = Annotated[str, msgspec.Meta(min_length=1, max_length=100, pattern=r"^[^\x00-\x1f]+$")]
Days = Annotated[int, msgspec.Meta(ge=1, le=MAX_DAYS)]


class UserBody(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    name: Name
    role: Role
    kind: UserKind = "person"
    password: Password | None = None


class UserPatch(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """What to change; a field left out stays as it is."""

    role: Role | None = None
    active: bool | None = None
    email: Annotated[str, msgspec.Meta(max_length=320, pattern=STORABLE)] | None = None  # "": none


class PasswordBody(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    password: Password


class TokenBody(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """`days` defaults to TOLLGATE_TOKEN_DAYS (90 unless configured)."""

    name: TokenName = "api"
    days: Days | None = None


class UserOut(msgspec.Struct, kw_only=True):
    name: str
    role: Role
    kind: UserKind
    active: bool
    created_at: datetime
    email: str | None = None  # where notifications go (none: no mail)


class NewUser(UserOut, kw_only=True):
    """The new user and their first token, shown this once."""

    token: str
    token_id: str
    expires_at: datetime


class NewToken(Token, frozen=True, kw_only=True):
    token: str


def on_account_error(_: Request[Any, Any, Any], exc: AccountError) -> Response[ProblemBody]:
    status = 404 if isinstance(exc, UnknownUser) else 422
    if isinstance(exc, UserExists | LastAdmin):
        status = 409
    return problem(status, str(exc))


def named(name: str) -> str:
    if not NAME.match(name):
        raise NotFoundException(f"no user named {name[:64]!r}")
    return name


SECRET = CacheControlHeader(no_store=True)  # a response with a new token: never kept anywhere


class UserController(Controller):
    path = "/users"
    tags = ["users"]
    guards = [requires(*ADMINS)]
    exception_handlers = {AccountError: on_account_error}

    @post("/", operation_id="createUser", status_code=201, cache_control=SECRET)
    async def create(self, deps: NamedDependency[Deps], data: JSONBody[UserBody]) -> NewUser:
        """Create a user with a first API token, which is in this response only. Agents get
        tokens like people but never decide gates. A name that is taken is a 409."""
        if data.name == SYSTEM.id:
            wrong = {"key": "name", "message": RESERVED, "source": "body"}
            raise ValidationException(RESERVED, extra=[wrong])
        user, issued = await add_user(
            deps.pool,
            data.name,
            data.role,
            data.kind,
            data.password,
            token_days=deps.settings.token_days,
        )
        return NewUser(
            name=user.name,
            role=user.role,
            kind=user.kind,
            active=True,
            created_at=issued.info.created_at,
            token=issued.token,
            token_id=issued.info.token_id,
            expires_at=issued.info.expires_at,
        )

    @get("/", operation_id="listUsers")
    async def index(self, deps: NamedDependency[Deps]) -> list[UserOut]:
        """Every user with their role, kind and whether they are active."""
        return [_out(a) for a in await list_users(deps.pool)]

    @patch("/{name:str}", operation_id="updateUser")
    async def update(
        self, deps: NamedDependency[Deps], name: FromPath[str], data: JSONBody[UserPatch]
    ) -> UserOut:
        """Change a user's role, or deactivate (`"active": false`) or reactivate them, or set
        their e-mail address for notifications (`""` removes it). A deactivated user's
        tokens and sessions get a 401 from their next request on."""
        if data.email is not None:
            checked_email(data.email)  # refused before anything changes
        changed = await update_user(deps.pool, named(name), role=data.role, active=data.active)
        if data.email is not None:
            email = (await set_preferences(deps.pool, name, email=data.email)).email
            changed = msgspec.structs.replace(changed, email=email)
        return _out(changed)

    @post("/{name:str}/password", operation_id="setUserPassword", status_code=204)
    async def password(
        self, deps: NamedDependency[Deps], name: FromPath[str], data: JSONBody[PasswordBody]
    ) -> None:
        """Set the password the user signs in to the pages with."""
        await set_password(deps.pool, named(name), data.password)

    @get("/{name:str}/tokens", operation_id="listUserTokens")
    async def tokens(self, deps: NamedDependency[Deps], name: FromPath[str]) -> list[Token]:
        """The user's tokens, newest first, revoked and expired ones included."""
        if await account(deps.pool, named(name)) is None:
            raise NotFoundException(f"no user named {name!r}")
        return await list_tokens(deps.pool, name)

    @post("/{name:str}/tokens", operation_id="createUserToken", status_code=201,
          cache_control=SECRET)  # fmt: skip
    async def new_token(
        self, deps: NamedDependency[Deps], name: FromPath[str], data: JSONBody[TokenBody]
    ) -> NewToken:
        """A new API token for the user; the token is in this response only."""
        days = data.days or deps.settings.token_days
        issued = await issue_token(deps.pool, named(name), data.name, days)
        return NewToken(**msgspec.structs.asdict(issued.info), token=issued.token)


def _out(a: Account) -> UserOut:
    return UserOut(
        name=a.name,
        role=a.role,
        kind=a.kind,
        active=a.active,
        created_at=a.created_at,
        email=a.email,
    )


class TokenController(Controller):
    path = "/tokens"
    tags = ["users"]

    @get("/", operation_id="listTokens", guards=[requires(*ADMINS)])
    async def index(self, deps: NamedDependency[Deps]) -> list[Token]:
        """Every token of every user, newest first (admin only)."""
        return await list_tokens(deps.pool)

    @delete("/{token_id:str}", operation_id="revokeToken", guards=[requires(*READERS)])
    async def revoke(
        self, request: Request[Any, Any, Any], deps: NamedDependency[Deps], token_id: FromPath[str]
    ) -> None:
        """Revoke a token: from its next request on it gets a 401. Admins revoke any token,
        everyone else their own."""
        user = current_user(request)
        holder = None if user.role in ADMINS else user.user_id
        if await revoke_token(deps.pool, token_id, holder) is None:
            raise NotFoundException(f"no token {token_id[:64]!r} of yours")
