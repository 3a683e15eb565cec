"""Trends decider: a trend is added, edited, moved between rings, linked to initiatives.

Rules:
- adding and editing a trend, and linking or unlinking an initiative, take a contributor,
  an owner, a committee member or an admin; a viewer may do none of it;
- moving a trend between rings is a judgement on what the company should do with it
  (adopt, trial, assess, hold): a contributor (the innovation team, the AI manager), a
  committee member or an admin, and a person: owners (whose right is about their own
  initiatives) and AI agents may not move a trend, whatever their role;
- an AI agent may propose a trend (it watches the news), but only into `assess`: putting
  one straight into adopt, trial or hold would be a ring decision;
- a trend is added once: the same trend again (at any time: a retry) is a no-op, another
  one under its id is refused; every other command needs the trend to exist;
- a trend's name and description are never blank (adding or editing);
- an edit changes only the fields given that differ; nothing different is a no-op; the
  ring changes only by a move;
- a move to the trend's current ring is a no-op; a move needs a rationale (not blank);
- linking an initiative already linked, or unlinking one that is not, is a no-op. Whether
  the initiative exists is checked by the API against the read model before sending: this
  service reads no stage's tables.
"""

from __future__ import annotations

from typing import assert_never

import msgspec
from msgspec.structs import replace

from events import trends
from events.base import Actor, Fact, Role
from events.errors import Forbidden, Invalid, NotFound, Refused
from events.trends import (
    EDITABLE,
    AddTrend,
    AnyTrendCommand,
    AnyTrendEvent,
    EditTrend,
    LinkTrend,
    MoveTrend,
    TrendAdded,
    TrendEdited,
    TrendLinked,
    TrendMoved,
    TrendUnlinked,
    UnlinkTrend,
)

EDITORS: tuple[Role, ...] = ("contributor", "owner", "committee")
MOVERS: tuple[Role, ...] = ("contributor", "committee")


class State(msgspec.Struct, frozen=True, kw_only=True):
    added: TrendAdded | None = None  # the trend as it stands (edits folded in)
    links: frozenset[str] = frozenset()


initial_state = State()
COMMANDS = trends.COMMAND_DECODER
EVENTS: msgspec.json.Decoder[AnyTrendEvent] = trends.EVENT_DECODER


def decide(command: AnyTrendCommand, state: State) -> list[Fact]:
    match command:
        case AddTrend():
            return _add(command, state)
        case EditTrend():
            return _edit(command, _existing(state, command.actor, EDITORS, "edit"))
        case MoveTrend():
            return _move(command, _existing(state, command.actor, MOVERS, "move"))
        case LinkTrend():
            _existing(state, command.actor, EDITORS, "link")
            if command.initiative_id in state.links:
                return []
            return [
                TrendLinked(
                    trend_id=command.trend_id, at=command.at, initiative_id=command.initiative_id
                )
            ]
        case UnlinkTrend():
            _existing(state, command.actor, EDITORS, "unlink")
            if command.initiative_id not in state.links:
                return []
            return [
                TrendUnlinked(
                    trend_id=command.trend_id, at=command.at, initiative_id=command.initiative_id
                )
            ]
        case _:
            assert_never(command)


def _guard(actor: Actor, roles: tuple[Role, ...], doing: str) -> None:
    if not actor.has_role(*roles):
        allowed = ", ".join(roles) + " or admin"
        raise Forbidden(f"{actor.id} may not {doing} a trend: that takes the role {allowed}")


def _existing(state: State, actor: Actor, roles: tuple[Role, ...], doing: str) -> TrendAdded:
    _guard(actor, roles, doing)
    if state.added is None:
        raise NotFound("no such trend on the radar")
    return state.added


def _add(command: AddTrend, state: State) -> list[Fact]:
    _guard(command.actor, EDITORS, "add")
    if command.actor.kind == "agent" and command.ring != "assess":
        raise Forbidden(
            f"an AI agent adds a trend to assess, not to {command.ring}: the ring is a "
            "person's decision (move it with a rationale)"
        )
    fields = {k: v for k, v in msgspec.structs.asdict(command).items() if k != "actor"}
    _guard_named(fields)
    added = TrendAdded(**fields)
    if state.added is None:
        return [added]
    if state.added == replace(added, at=state.added.at):  # a retry comes later: not a new trend
        return []
    raise Refused(f"a trend {command.trend_id} exists already ({state.added.name})")


def _guard_named(fields: dict[str, object]) -> None:
    """A name and a description say something: blank ones would leave a dot with no name."""
    for field in ("name", "description"):
        value = fields.get(field)
        if isinstance(value, str) and not value.strip():
            raise Invalid(f"a trend's {field} may not be blank")


def _edit(command: EditTrend, current: TrendAdded) -> list[Fact]:
    _guard_named({n: getattr(command, n) for n in ("name", "description")})
    changed = {
        name: getattr(command, name)
        for name in EDITABLE
        if getattr(command, name) is not None and getattr(command, name) != getattr(current, name)
    }
    if not changed:
        return []
    changed.update(trend_id=command.trend_id, at=command.at)
    return [msgspec.convert(changed, TrendEdited)]


def _move(command: MoveTrend, current: TrendAdded) -> list[Fact]:
    if command.actor.kind != "person":
        raise Forbidden("only a person moves a trend between rings: an AI agent may not")
    if not command.rationale.strip():
        raise Invalid("a move between rings needs a rationale: say why")
    if command.ring == current.ring:
        return []
    moved = TrendMoved(
        trend_id=command.trend_id, at=command.at, from_ring=current.ring, to_ring=command.ring,
        rationale=command.rationale,
    )  # fmt: skip
    return [moved]


def evolve(state: State, event: AnyTrendEvent) -> State:
    match event:
        case TrendAdded():
            return replace(state, added=event)
        case TrendEdited():
            assert state.added is not None
            changed = {n: getattr(event, n) for n in EDITABLE if getattr(event, n) is not None}
            return replace(state, added=replace(state.added, **changed))
        case TrendMoved():
            assert state.added is not None
            return replace(state, added=replace(state.added, ring=event.to_ring))
        case TrendLinked():
            return replace(state, links=state.links | {event.initiative_id})
        case TrendUnlinked():
            return replace(state, links=state.links - {event.initiative_id})
        case _:
            assert_never(event)
