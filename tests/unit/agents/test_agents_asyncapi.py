"""The agents' events and commands are in the AsyncAPI document, on the agent's subject."""

from __future__ import annotations

from typing import get_args

from api.asyncapi import document
from events import agents
from events.subjects import DEFAULT


def test_every_agent_event_has_a_channel_keyed_by_the_agent() -> None:
    doc = document(DEFAULT)
    for cls in get_args(agents.AnyAgentEvent):
        tag = str(cls.__struct_config__.tag)
        name = tag.split(".")[3]
        channel = doc["channels"][f"agents.{name}.v1"]
        assert channel["address"] == f"tollgate.events.agents.{name}.{{agent_id}}"
        assert doc["components"]["messages"][f"agents.{name}.v1"]["name"] == tag


def test_every_agent_command_is_received_by_the_agents_service() -> None:
    doc = document(DEFAULT)
    for cls in get_args(agents.AgentCommandUnion):
        tag = str(cls.__struct_config__.tag)
        operation = doc["operations"][f"cmd.agents.{tag}"]
        assert operation["summary"] == f"tollgate-agents handles {tag}"
