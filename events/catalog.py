"""Every lifecycle event of every stage, for consumers that read them all (projection, facts)."""

from __future__ import annotations

import msgspec

from events import agents, ideation, kpis, mvp, pilot, poc, production, trends
from events.base import Event, event_tag

AnyEvent = (
    ideation.AnyIdeationEvent
    | poc.AnyPocEvent
    | pilot.AnyPilotEvent
    | mvp.AnyMvpEvent
    | production.AnyProductionEvent
)
EVENT_DECODER = msgspec.json.Decoder(AnyEvent)


def _classes() -> dict[str, type[Event]]:
    modules = (ideation, poc, pilot, mvp, production)
    found = [c for m in modules for c in vars(m).values() if isinstance(c, type)]
    events = [c for c in found if issubclass(c, Event)]
    return {
        str(c.__struct_config__.tag): c
        for c in events
        if str(c.__struct_config__.tag).startswith("io.tollgate.")
    }


EVENT_TYPES: dict[str, type[Event]] = _classes()
# a KPI measured in any stage (most events of a piloted or launched initiative): folds test
# `type(event) in MEASURED`, far cheaper than isinstance against the base class
MEASURED: frozenset[type[Event]] = frozenset(
    c for c in EVENT_TYPES.values() if issubclass(c, kpis.KpiMeasured)
)
# every type on the stream: the stages' and those of the agents' and the trends' own streams
# (what a subscriber may ask for by type; EVENT_TYPES are an initiative's only)
STREAM_TYPES: frozenset[str] = frozenset(EVENT_TYPES) | frozenset(
    str(c.__struct_config__.tag)
    for c in (*trends.AnyTrendEvent.__args__, *agents.AnyAgentEvent.__args__)
)


def is_known(event: Event) -> bool:
    return event_tag(event) in EVENT_TYPES
