"""The radar's events and commands are in the AsyncAPI document, on the trend's subject."""

from __future__ import annotations

from api.asyncapi import document
from events import trends
from events.subjects import DEFAULT


def test_every_trend_event_has_a_channel_keyed_by_the_trend() -> None:
    doc = document(DEFAULT)
    for cls in trends.AnyTrendEvent.__args__:
        tag = str(cls.__struct_config__.tag)
        name = tag.split(".")[3]
        channel = doc["channels"][f"trends.{name}.v1"]
        assert channel["address"] == f"tollgate.events.trends.{name}.{{trend_id}}"
        assert doc["components"]["messages"][f"trends.{name}.v1"]["name"] == tag
    initiative = doc["channels"]["pilot.kpi_measured.v1"]["address"]
    assert initiative.endswith(".{initiative_id}")  # the stages' subjects are unchanged


def test_every_trend_command_is_received_by_the_trends_service() -> None:
    doc = document(DEFAULT)
    for tag in ("add-trend", "edit-trend", "move-trend", "link-trend", "unlink-trend"):
        operation = doc["operations"][f"cmd.trends.{tag}"]
        assert operation["summary"] == f"tollgate-trends handles {tag}"
        assert doc["channels"][f"cmd.trends.{tag}"]["address"] == f"tollgate.cmd.trends.{tag}"
