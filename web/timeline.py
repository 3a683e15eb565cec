"""The initiative's timeline as the page shows it: every event with its actor and time.

AI agents are marked; Tollgate's own automatic handoffs (actor kind `system`) are shown
as Tollgate, never as an agent."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import msgspec

from events.base import ActorKind, type_parts
from events.catalog import EVENT_TYPES
from events.envelope import actorkind_of

SHOWN = ("title", "gate", "decision", "rationale", "outcome", "sourcing", "risk_class",
         "priority", "statement", "metric", "value", "name", "severity", "kind", "reason",
         "evidence", "link", "owner", "previous_owner")  # fmt: skip
LIVE_TRIGGER_DELAY = "delay:300ms"
AUTOMATIC = "Tollgate (automatic)"


class Entry(msgspec.Struct, kw_only=True):
    id: str
    type: str
    stage: str
    name: str
    time: datetime
    actor: str
    agent: bool
    details: list[tuple[str, str]]
    data: dict[str, Any]


class _Ce(msgspec.Struct, kw_only=True):
    id: str
    type: str
    time: datetime
    data: dict[str, Any] = {}
    actor: str = ""
    actorkind: ActorKind = "person"


_DECODE = msgspec.json.Decoder(_Ce)


def _details(data: dict[str, Any]) -> list[tuple[str, str]]:
    shown = [(k.replace("_", " "), data[k]) for k in SHOWN if data.get(k) not in (None, "")]
    return [(k, ", ".join(map(str, v)) if isinstance(v, list) else str(v)) for k, v in shown]


def shown_actor(actor: str, actorkind: ActorKind) -> tuple[str, bool]:
    """The name the page shows, and whether an AI agent acted."""
    kind = actorkind_of(actor, actorkind)
    if kind == "system" or not actor:
        return AUTOMATIC, False
    return actor, kind == "agent"


def entries(bodies: list[bytes], as_of: datetime | None = None) -> list[Entry]:
    """Newest first; with `as_of` only what had happened by then."""
    found = []
    for body in bodies:
        ce = _DECODE.decode(body)
        if as_of is not None and ce.time > as_of:
            continue
        stage, name, _ = type_parts(ce.type)
        actor, agent = shown_actor(ce.actor, ce.actorkind)
        found.append(Entry(
            id=ce.id, type=ce.type, stage=stage, name=name.replace("_", " ").capitalize(),
            time=ce.time, actor=actor, agent=agent,
            details=_details(ce.data), data=ce.data,
        ))  # fmt: skip
    return sorted(found, key=lambda e: e.time, reverse=True)


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
