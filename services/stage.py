"""What every stage decider shares besides the gate: its state, guards, and recording work.

Rules:
- stage work needs an open stage (not on hold, killed, or past its gate) and a
  contributor or owner; agents may record work if they hold such a role;
- an owner acts only on the initiatives they own or are a team member of (by account);
  contributors (the innovation team) work on every initiative, committee and admin act
  on all;
- a stage opens once, on the previous stage's go (sent by a policy as Tollgate itself);
- a KPI measurement needs a known KPI; the same measurement_id twice is a no-op.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal, TypeVar

import msgspec
from msgspec.structs import asdict

from events import gates, kpis
from events.base import Actor, Command, Event
from events.errors import Forbidden, NotFound, NotOpen, Refused
from events.facts import Facts, measured
from events.gates import GateEvents
from events.people import label

Status = Literal["not_started", "active", "in_review", "on_hold", "killed", "passed", "launched"]
E = TypeVar("E", bound=Event)


class StageState(msgspec.Struct, frozen=True, kw_only=True):
    status: Status = "not_started"
    facts: Facts = msgspec.field(default_factory=Facts)
    votes: tuple[gates.GateVoteCast, ...] = ()  # of the open review
    vote_ids: frozenset[str] = frozenset()
    last_decision: gates.Decision | None = None
    re_review: str | None = None  # after launch: why the committee is asked to look again
    review_requested_at: datetime | None = None  # of the open review
    review_overdue: bool = False  # the open review was escalated (review_overdue)


def guard_live(kit: GateEvents, state: StageState) -> None:
    match state.status:
        case "not_started":
            raise NotOpen(kit.stage)
        case "killed":
            raise Refused("the initiative was killed")
        case "passed" | "launched":
            raise Refused(f"initiative has moved on to {kit.next_stage}")
        case "on_hold":
            raise Refused("the initiative is on hold; resume it first")
        case "active" | "in_review":
            return


def guard_held(kit: GateEvents, state: StageState, when_killed: str) -> None:
    """This stage holds the initiative (open, even on hold, or launched): records about the
    whole initiative (owner, obligations) may change; `when_killed` says why not after a kill."""
    match state.status:
        case "not_started":
            raise NotOpen(kit.stage)
        case "passed":
            raise Refused(f"initiative has moved on to {kit.next_stage}")
        case "killed":
            raise Refused(when_killed)
        case "active" | "in_review" | "on_hold" | "launched":
            return


def guard_work(kit: GateEvents, state: StageState, actor: Actor) -> None:
    guard_live(kit, state)
    guard_worker(kit, state, actor)


def guard_worker(kit: GateEvents, state: StageState, actor: Actor) -> None:
    """A contributor or admin records work anywhere; an owner on their own initiatives."""
    guard_contributor(kit, actor)
    if not actor.has_role("contributor"):
        guard_member(state, actor, f"record {kit.stage} work")


def is_member(state: StageState, actor: Actor) -> bool:
    """Whether the actor's account owns the initiative or is on its team."""
    facts = state.facts
    return actor.id == facts.owner_account or any(m.account == actor.id for m in facts.team_members)


def guard_member(state: StageState, actor: Actor, doing: str) -> None:
    """For an actor whose right comes from the owner role: only on their own initiatives."""
    if not is_member(state, actor):
        owner = label(state.facts.owner or "nobody", state.facts.owner_account)
        raise Forbidden(
            f"{actor.id} may not {doing}: an owner acts only on the initiatives they own or"
            f" are on the team of, and this one is owned by {owner}"
        )


def guard_contributor(kit: GateEvents, actor: Actor) -> None:
    if not actor.has_role("contributor", "owner"):
        raise Forbidden(f"recording {kit.stage} work needs the contributor or owner role")


def record(command: Command, event: type[E], **extra: object) -> E:
    """The event recording a command's fields (all but the actor), plus `extra`."""
    fields = {k: v for k, v in asdict(command).items() if k != "actor"}
    return msgspec.convert({**fields, **extra}, event)


def open_stage(
    command: gates.OpenStage, state: StageState, opened: type[gates.StageOpened]
) -> list[Event]:
    """Sent by a policy; opening an open stage again is a no-op."""
    if not command.actor.has_role("admin"):
        raise Forbidden("only Tollgate itself opens a stage")
    if state.status != "not_started":
        return []
    return [opened(initiative_id=command.initiative_id, at=command.at, handoff=command.handoff)]


def record_measurement(
    kit: GateEvents,
    command: kpis.RecordMeasurement,
    state: StageState,
    event: type[kpis.KpiMeasured],
) -> list[Event]:
    guard_work(kit, state, command.actor)
    check_measurement(command, state.facts)
    if measured(state.facts, command.measurement_id):
        return []
    return [record(command, event)]


def check_measurement(command: kpis.RecordMeasurement, facts: Facts) -> None:
    if command.kpi_id not in facts.kpis:
        raise NotFound(f"no KPI {command.kpi_id} is defined for this initiative")
