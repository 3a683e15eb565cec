"""Base types every stage's events and commands build on."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, ClassVar, Literal

import msgspec

STAGES = ("ideation", "poc", "pilot", "mvp", "production")
Stage = Literal["ideation", "poc", "pilot", "mvp", "production"]
# streams that are not initiatives: an agent's (its policy, actions, attestation) and a trend's
Category = Literal[Stage, "agents", "trends"]
UserKind = Literal["person", "agent"]  # who may hold a token and sign in
ActorKind = Literal[UserKind, "system"]  # and Tollgate itself, for automatic handoffs
Role = Literal["viewer", "contributor", "owner", "committee", "admin"]


STORABLE = r"^[^\x00]*$"  # PostgreSQL stores no NUL, in text or in jsonb


def storable(min_length: int, max_length: int) -> msgspec.Meta:
    """Free text PostgreSQL can store (in text or jsonb): any character but NUL. The pattern
    repeats the length, so a generator working from the JSON Schema need not filter."""
    pattern = rf"^[^\x00]{{{min_length},{max_length}}}$"
    return msgspec.Meta(min_length=min_length, max_length=max_length, pattern=pattern)


Text = Annotated[str, storable(1, 200)]
LongText = Annotated[str, storable(1, 4000)]
Id = Annotated[str, msgspec.Meta(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.:-]{1,64}$")]


class Frozen(msgspec.Struct, frozen=True, kw_only=True, gc=False):
    """A frozen piece of the facts or of a read model. It holds values and other pieces,
    never itself, so the garbage collector need not track it: 16 bytes less each, and
    fewer objects for every collection to walk (a rebuild keeps hundreds of thousands)."""


class Actor(msgspec.Struct, frozen=True, kw_only=True):
    """Who issued a command, with the roles they hold: a person, an AI agent, or Tollgate
    itself (`system`: a policy's automatic handoff, never shown as an agent)."""

    id: Id
    name: str = ""
    kind: ActorKind = "person"
    roles: tuple[Role, ...] = ()

    def has_role(self, *roles: Role) -> bool:
        return "admin" in self.roles or any(r in self.roles for r in roles)


SYSTEM = Actor(id="system", name="Tollgate", kind="system", roles=("admin",))


def event_type(stage: Category, name: str, version: int = 1) -> str:
    """The CloudEvents `type` of an event: io.tollgate.{stage}.{name}.v{n}."""
    return f"io.tollgate.{stage}.{name}.v{version}"


def type_parts(type_: str) -> tuple[str, str, int]:
    """Split an event type into (stage, event_name, version)."""
    _, _, stage, name, version = type_.split(".")
    return stage, name, int(version[1:])


class Fact(msgspec.Struct, frozen=True, kw_only=True, tag_field="type"):
    """A past-tense business fact about one stream: an initiative's, an agent's or a trend's.

    The tag is the CloudEvents type (see `event_type`). `at` is business time:
    when it happened in the world, which the command supplies.
    """

    at: datetime


class Event(Fact, frozen=True, kw_only=True):
    """A fact about one initiative (its stream id)."""

    initiative_id: Id


class Addressed(msgspec.Struct, frozen=True, kw_only=True, tag_field="command"):
    """An imperative addressed to one stream's service. Clock and actor arrive in it."""

    at: datetime
    actor: Actor
    stream_kind: ClassVar[str] = "initiative"  # what the stream is, in a problem's words

    @property
    def stream_id(self) -> str:
        raise NotImplementedError


class Command(Addressed, frozen=True, kw_only=True):
    """An imperative addressed to one initiative's stage service."""

    initiative_id: Id

    @property
    def stream_id(self) -> str:
        return self.initiative_id


def stage_of(event: Event) -> str:
    return type_parts(event_tag(event))[0]


def name_of(event: Fact) -> str:
    return type_parts(event_tag(event))[1]


def event_tag(event: Fact) -> str:
    tag = type(event).__struct_config__.tag
    assert isinstance(tag, str)
    return tag
