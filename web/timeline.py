"""The initiative's timeline as the page shows it: every event in words, with its actor and
time, filtered by stage, kind and actor.

AI agents are marked; Tollgate's own automatic handoffs (actor kind `system`) are shown
as Tollgate, never as an agent."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from urllib.parse import urlencode

import msgspec

from events.base import ActorKind, type_parts
from events.catalog import EVENT_TYPES
from events.envelope import actorkind_of
from web.narrative import Names, label
from web.narrative_gates import say

LIVE_TRIGGER_DELAY = "delay:300ms"
AUTOMATIC = "Tollgate (automatic)"


class Entry(msgspec.Struct, kw_only=True):
    id: str
    type: str
    stage: str
    kind: str  # the event's name: kpi_defined
    name: str  # its headline in words: "KPI Energy use defined"
    detail: str  # the rest of its content in words; may be empty
    time: datetime
    actor: str  # as shown
    actor_id: str  # as recorded: the user name, or "system"
    agent: bool
    data: dict[str, Any]


class Filters(msgspec.Struct, frozen=True, kw_only=True):
    """The timeline's filters; None shows all."""

    stage: str | None = None
    kind: str | None = None
    actor: str | None = None

    def keeps(self, e: Entry) -> bool:
        """`kind` may name several, separated by commas (a dossier record's events)."""
        kinds = self.kind.split(",") if self.kind else None
        return (self.stage in (None, e.stage) and (kinds is None or e.kind in kinds)
                and self.actor in (None, e.actor_id))  # fmt: skip

    @property
    def active(self) -> bool:
        return any((self.stage, self.kind, self.actor))

    @property
    def query(self) -> str:
        """ "?stage=...&type=..." for the live refresh to keep them; empty when none."""
        given = {"stage": self.stage, "type": self.kind, "actor": self.actor}
        kept = {k: v for k, v in given.items() if v}
        return f"?{urlencode(kept)}" if kept else ""


class _Ce(msgspec.Struct, kw_only=True):
    id: str
    type: str
    time: datetime
    data: dict[str, Any] = {}
    actor: str = ""
    actorkind: ActorKind = "person"


_DECODE = msgspec.json.Decoder(_Ce)


def shown_actor(actor: str, actorkind: ActorKind) -> tuple[str, bool]:
    """The name the page shows, and whether an AI agent acted."""
    kind = actorkind_of(actor, actorkind)
    if kind == "system" or not actor:
        return AUTOMATIC, False
    return actor, kind == "agent"


def entries(
    bodies: list[bytes], as_of: datetime | None = None, names: Names | None = None
) -> list[Entry]:
    """Newest first, in words; with `as_of` only what had happened by then."""
    found = []
    for body in bodies:
        ce = _DECODE.decode(body)
        if as_of is not None and ce.time > as_of:
            continue
        stage, kind, _ = type_parts(ce.type)
        actor, agent = shown_actor(ce.actor, ce.actorkind)
        headline, detail = say(kind, ce.data, names or Names())
        found.append(Entry(
            id=ce.id, type=ce.type, stage=stage, kind=kind, name=headline, detail=detail,
            time=ce.time, actor=actor, actor_id=ce.actor or "system", agent=agent, data=ce.data,
        ))  # fmt: skip
    # newest first; events at the same moment (a vote and the decision it makes, a handoff)
    # keep the store's order, reversed: the sort is stable
    found.reverse()
    return sorted(found, key=lambda e: e.time, reverse=True)


def choices(found: list[Entry]) -> dict[str, list[tuple[str, str]]]:
    """The values each filter offers: those that occur, as (value, label)."""
    stages = dict.fromkeys(e.stage for e in reversed(found))
    kinds = sorted({e.kind for e in found})
    actors = sorted({(e.actor_id, e.actor) for e in found})
    return {"stage": [(s, s) for s in stages], "kind": [(k, label(k)) for k in kinds],
            "actor": actors}  # fmt: skip


def recorded(found: list[Entry], event: str, id_field: str, label: str) -> list[tuple[str, str]]:
    """(id, label) of every `event` recorded, oldest first: the choices of a form that
    refers to one of them (a result to a hypothesis, a status to an incident)."""
    return [(str(e.data[id_field]), str(e.data.get(label, "")))
            for e in reversed(found) if e.type.endswith(f".{event}.v1")]  # fmt: skip


def sse_trigger(*suffixes: str) -> str:
    """An hx-trigger listening to the SSE events whose names end with one of `suffixes`
    (all of them when none are given); bursts collapse into one refresh."""
    names = [t for t in sorted(EVENT_TYPES) if not suffixes or t.endswith(suffixes)]
    return ", ".join(f"sse:{t} {LIVE_TRIGGER_DELAY}" for t in names)
