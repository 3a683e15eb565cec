"""The AsyncAPI 3.0 document of Tollgate's NATS interface, generated from the msgspec types
of events/ (so it cannot drift from what is published).

Events: one channel per event type on `{root}.events.{stage}.{event}.{initiative_id}`,
carried as structured-mode CloudEvents JSON; Tollgate sends them. Commands: one channel
per stage command on `{root}.cmd.{stage}.{command}`, received by the NATS service
`{root}-{stage}` (queue group `q`) and answered with a CommandReply.

Positions: `position` is always the global position, the JetStream stream sequence of an
event's message. A CommandReply's `position` is that of the command's last event (or a
later one); pass it as `min_position` to the HTTP API to read your own write. Messages on
NATS leave `position` out (a consumer has the sequence in the message metadata); the
CloudEvents of `GET /api/v1/initiatives/{id}/events` carry it. The `stageposition`
extension is something else: the event's position in its stage service's own store,
increasing within one `source` and not comparable across stages.
"""

from __future__ import annotations

from typing import Any, get_args
from urllib.parse import urlsplit

import msgspec

from events import agents, ideation, mvp, pilot, poc, trends
from events.base import ActorKind, type_parts
from events.catalog import EVENT_TYPES
from events.envelope import source_of
from events.replies import CORRELATION_ID, EXPECTED_VERSION, CommandReply
from events.subjects import Subjects

REF = "#/components/schemas/{name}"
POSITION = (
    "the global position: the JetStream stream sequence of the event's message, as command "
    "replies give it; left out on NATS (see the message's metadata), set by the HTTP timeline"
)
STAGEPOSITION = (
    "the event's position in its stage service's own store: increasing within one source, "
    "not comparable across stages, and not a `position`"
)
COMMANDS: dict[str, Any] = {
    "ideation": ideation.IdeationCommand, "poc": poc.PocCommand,
    "pilot": pilot.PilotCommand, "mvp": mvp.MvpCommand,
}  # fmt: skip
COMMANDS["trends"] = trends.AnyTrendCommand  # the radar's own service
COMMANDS["agents"] = agents.AgentCommandUnion  # agents' policies, screening, approvals
# streams that are not initiatives: their events' classes, and what the subject's last token is
OTHER_EVENTS: list[Any] = [*trends.AnyTrendEvent.__args__, *agents.AnyAgentEvent.__args__]
STREAM_KEYS = {
    "trends": ("trend_id", "the trend the event is about"),
    "agents": ("agent_id", "the agent the event is about (its account name)"),
}
INITIATIVE_KEY = ("initiative_id", "the initiative the event is about")


def command_types() -> dict[str, list[type[msgspec.Struct]]]:
    return {stage: list(union.__args__) for stage, union in COMMANDS.items()}


def envelope(type_: str, data_ref: dict[str, Any]) -> dict[str, Any]:
    """The CloudEvents 1.0 structured JSON around one event's data."""
    stage = type_parts(type_)[0]
    text = {"type": "string"}
    return {
        "type": "object",
        "required": ["specversion", "id", "source", "type", "subject", "time", "data"],
        "properties": {
            "specversion": {"const": "1.0"}, "id": {**text, "description": "event id (uuid)"},
            "source": {"const": source_of(stage)}, "type": {"const": type_},
            "subject": {**text, "description": "the initiative id"},
            "time": {**text, "format": "date-time"},
            "datacontenttype": {"const": "application/json"}, "data": data_ref,
            "actor": {**text, "description": "who caused it"},
            "actorkind": {"enum": list(get_args(ActorKind))},
            "correlationid": {"type": ["string", "null"]},
            "causationid": {"type": ["string", "null"]},
            "streamversion": {"type": "integer", "description": "version in its stage stream"},
            "stageposition": {"type": "integer", "description": STAGEPOSITION},
            "position": {"type": "integer", "description": POSITION},
        },
    }  # fmt: skip


class _Builder:
    def __init__(self, subjects: Subjects) -> None:
        self.subjects = subjects
        self.channels: dict[str, Any] = {}
        self.operations: dict[str, Any] = {}
        self.messages: dict[str, Any] = {}

    def event(self, type_: str, cls: type, ref: dict[str, Any]) -> None:
        stage, name, version = type_parts(type_)
        key = f"{stage}.{name}.v{version}"
        summary = (cls.__doc__ or type_).strip().split("\n")[0]
        self.messages[key] = {
            "name": type_, "title": cls.__name__, "summary": summary,
            "contentType": "application/cloudevents+json", "payload": envelope(type_, ref),
        }  # fmt: skip
        param, about = STREAM_KEYS.get(stage, INITIATIVE_KEY)
        self.channels[key] = {
            "address": f"{self.subjects.root}.events.{stage}.{name}.{{{param}}}",
            "parameters": {param: {"description": about}},
            "messages": {key: {"$ref": f"#/components/messages/{key}"}},
        }
        self.operations[f"publish.{key}"] = {
            "action": "send", "channel": {"$ref": f"#/channels/{key}"},
            "messages": [{"$ref": f"#/channels/{key}/messages/{key}"}],
        }  # fmt: skip

    def reply(self, ref: dict[str, Any]) -> None:
        self.messages["CommandReply"] = {
            "name": "CommandReply", "contentType": "application/json", "payload": ref,
        }  # fmt: skip
        self.channels["commandReply"] = {
            "address": None, "description": "the requester's inbox (NATS reply subject)",
            "messages": {"CommandReply": {"$ref": "#/components/messages/CommandReply"}},
        }  # fmt: skip

    def command(self, stage: str, cls: type[msgspec.Struct], ref: dict[str, Any]) -> None:
        tag = str(cls.__struct_config__.tag)
        key = f"cmd.{stage}.{tag}"
        headers = {"type": "object", "properties": {
            EXPECTED_VERSION: {"type": "string", "description": "optimistic concurrency check"},
            CORRELATION_ID: {"type": "string"},
        }}  # fmt: skip
        self.messages[key] = {"name": tag, "title": cls.__name__, "contentType": "application/json",
                              "headers": headers, "payload": ref}  # fmt: skip
        self.channels[key] = {
            "address": self.subjects.command(stage, tag),
            "messages": {key: {"$ref": f"#/components/messages/{key}"}},
        }
        self.operations[key] = {
            "action": "receive", "channel": {"$ref": f"#/channels/{key}"},
            "summary": f"{self.subjects.service(stage)} handles {tag}",
            "messages": [{"$ref": f"#/channels/{key}/messages/{key}"}],
            "bindings": {"nats": {"queue": "q"}},
            "reply": {"channel": {"$ref": "#/channels/commandReply"},
                      "messages": [{"$ref": "#/channels/commandReply/messages/CommandReply"}]},
        }  # fmt: skip


def _server(url: str, stream: str) -> dict[str, str]:
    """One NATS URL as an AsyncAPI server: host and port only, so credentials stay out."""
    parts = urlsplit(url.strip())
    websocket = parts.scheme in ("ws", "wss")
    host = parts.hostname or "localhost"
    host = f"[{host}]" if ":" in host else host  # IPv6
    port = parts.port or (None if websocket else 4222)
    tls = " over TLS" if parts.scheme in ("tls", "wss") else ""
    return {
        "host": f"{host}:{port}" if port else host,
        "protocol": parts.scheme if websocket else "nats",
        "description": f"NATS{tls}, JetStream stream {stream}",
    }


def servers(nats_url: str, stream: str) -> dict[str, dict[str, str]]:
    """The instance's NATS servers (NATS_URL may list several), one entry per URL."""
    urls = [u for u in nats_url.split(",") if u.strip()]
    return {("nats" if n == 0 else f"nats-{n + 1}"): _server(u, stream) for n, u in enumerate(urls)}


def document(subjects: Subjects, nats_url: str = "") -> dict[str, Any]:
    events = [*EVENT_TYPES.items(), *((str(c.__struct_config__.tag), c) for c in OTHER_EVENTS)]
    commands = [(s, c) for s, cs in command_types().items() for c in cs]
    types: list[Any] = [cls for _, cls in events] + [c for _, c in commands] + [CommandReply]
    refs, schemas = msgspec.json.schema_components(types, ref_template=REF)
    schemas["CommandReply"]["properties"]["position"]["description"] = POSITION
    doc = _Builder(subjects)
    for (type_, cls), ref in zip(events, refs, strict=False):
        doc.event(type_, cls, ref)
    doc.reply(refs[-1])
    for (stage, command), ref in zip(commands, refs[len(events) : -1], strict=True):
        doc.command(stage, command, ref)
    info = {"title": "Tollgate lifecycle events and commands", "version": "1.0.0"}
    return {
        "asyncapi": "3.0.0",
        "info": {**info, "description": __doc__},
        "defaultContentType": "application/cloudevents+json",
        "servers": servers(nats_url, subjects.stream),
        "channels": doc.channels,
        "operations": doc.operations,
        "components": {"messages": doc.messages, "schemas": schemas},
    }
