"""Users (admin only): create a person or an agent with a role, list them.

The token is shown once, in the creation response; only its hash is stored. No user is
ever of kind `system` or named `system`: that actor is Tollgate's own automatic handoffs.
"""

from __future__ import annotations

from typing import Annotated

import msgspec
from litestar import Controller, get, post
from litestar.di import NamedDependency
from litestar.exceptions import ValidationException
from litestar.params import JSONBody

from api.auth import ADMINS, requires
from api.deps import Deps
from api.users import RESERVED, add_user, list_users
from events.base import SYSTEM, Role, UserKind

Name = Annotated[str, msgspec.Meta(pattern=r"^[A-Za-z0-9_.:-]{1,64}$")]
Password = Annotated[str, msgspec.Meta(min_length=8, max_length=200)]


class UserBody(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    name: Name
    role: Role
    kind: UserKind = "person"
    password: Password | None = None


class UserOut(msgspec.Struct, kw_only=True, omit_defaults=True):
    name: str
    role: str
    kind: str
    token: str | None = None


class UserController(Controller):
    path = "/users"
    tags = ["users"]
    guards = [requires(*ADMINS)]

    @post("/", operation_id="createUser", status_code=201)
    async def create(self, deps: NamedDependency[Deps], data: JSONBody[UserBody]) -> UserOut:
        """Create a user (or give an existing one a new role and token). The API token is in
        this response only. Agents get tokens like people but never decide gates."""
        if data.name == SYSTEM.id:
            problem = {"key": "name", "message": RESERVED, "source": "body"}
            raise ValidationException(RESERVED, extra=[problem])
        user, token = await add_user(deps.pool, data.name, data.role, data.kind, data.password)
        return UserOut(name=user.name, role=user.role, kind=user.kind, token=token)

    @get("/", operation_id="listUsers")
    async def index(self, deps: NamedDependency[Deps]) -> list[UserOut]:
        """Every user with their role and kind (people and AI agents)."""
        return [UserOut(name=u.name, role=u.role, kind=u.kind) for u in await list_users(deps.pool)]
