"""The API's pure pieces: command building, replies, problems, sessions, signatures,
the SSE filter (with a finite source) and the AsyncAPI document."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from datetime import date

import msgspec
import pytest
from litestar.exceptions import ValidationException

from api.asyncapi import document
from api.bodies import DecisionBody, MeasurementBody, RefineIdeaBody, WorkshopBody
from api.dispatch import build, conditions, send
from api.problems import CommandFailedError, on_validation
from api.routes.stream import messages, subject_for
from api.users import password_hash, password_matches
from api.webhooks.worker import backoff, signature
from events import ideation
from events.base import Actor
from events.catalog import EVENT_TYPES
from events.replies import EXPECTED_VERSION, CommandReply, Problem
from events.subjects import DEFAULT

ALICE = Actor(id="alice", name="alice", roles=("contributor",))


class FakeBroker:
    """Answers every command with a canned reply and remembers what it was sent."""

    def __init__(self, reply: CommandReply) -> None:
        self.reply = reply
        self.sent: list[tuple[str, str, bytes, Mapping[str, str]]] = []

    async def send(
        self,
        stage: str,
        command: str,
        body: bytes,
        headers: Mapping[str, str],
        open_wait: float = 0.0,
    ) -> CommandReply:
        self.sent.append((stage, command, body, headers))
        return self.reply


def test_a_body_becomes_the_command_with_actor_and_time_but_not_the_expected_version():
    body = WorkshopBody(held_on=date(2026, 1, 2), participants=("ana",), outcome="ok",
                        expected_version=3)  # fmt: skip
    command = build(ideation.HoldWorkshop, body, "i-1", ALICE, workshop_id="w1")
    assert isinstance(command, ideation.HoldWorkshop)
    assert (command.initiative_id, command.workshop_id, command.actor) == ("i-1", "w1", ALICE)
    assert command.at.tzinfo is not None
    assert b"expected_version" not in msgspec.json.encode(command)


def test_fields_left_out_of_a_body_keep_the_commands_defaults():
    command = build(ideation.RefineIdea, RefineIdeaBody(title="New"), "i-1", ALICE)
    assert isinstance(command, ideation.RefineIdea)
    assert command.title == "New" and command.owner is None


async def test_a_sent_command_carries_its_name_and_expected_version_and_returns_the_position():
    broker = FakeBroker(CommandReply(ok=True, initiative_id="i-1", version=4, position=77,
                                     event_ids=["e"]))  # fmt: skip
    command = build(ideation.ScoreIdea, None, "i-1", ALICE, value=3, feasibility=3, risk=3,
                    strategic_fit=3)  # fmt: skip
    accepted = await send(broker, "ideation", command, expected_version=3)
    assert (accepted.id, accepted.version, accepted.position) == ("i-1", 4, 77)
    stage, name, body, headers = broker.sent[0]
    assert (stage, name, headers[EXPECTED_VERSION]) == ("ideation", "score-idea", "3")
    assert msgspec.json.decode(body)["command"] == "score-idea"


async def test_a_refused_command_raises_with_the_services_problem():
    problem = Problem(code="conflict", detail="stale", current_version=5)
    broker = FakeBroker(CommandReply(ok=False, error=problem))
    command = build(ideation.ScoreIdea, None, "i-1", ALICE, value=3, feasibility=3, risk=3,
                    strategic_fit=3)  # fmt: skip
    with pytest.raises(CommandFailedError) as failed:
        await send(broker, "ideation", command)
    assert failed.value.problem.current_version == 5


def test_plain_condition_texts_get_ids_and_given_ids_are_kept():
    body = msgspec.convert({"decision": "conditional_go", "rationale": "r",
                            "conditions": ["Sign-off", {"condition_id": "c1", "text": "DPIA"}]},
                           DecisionBody)  # fmt: skip
    made = conditions(body)
    assert [c.text for c in made] == ["Sign-off", "DPIA"]
    assert made[0].condition_id and made[1].condition_id == "c1"


@pytest.mark.parametrize(("extra", "status", "field"), [
    ([{"message": "Expected `str` of length <= 200", "key": "title", "source": "body"}],
     422, "title"),
    ([{"message": "Object contains unknown field `colour`", "key": "data", "source": "body"}],
     422, "colour"),
    ([{"message": "Object missing required field `title`", "key": "data", "source": "body"}],
     422, "title"),
    ([{"message": "Expected `int | null`, got `str`", "key": "min_position", "source": "query"}],
     400, "min_position"),
])  # fmt: skip
def test_validation_errors_become_problems_naming_the_field(extra: list[dict[str, str]],
                                                            status: int, field: str):  # fmt: skip
    response = on_validation(None, ValidationException("Validation failed", extra=extra))  # type: ignore[arg-type]
    assert response.status_code == status
    assert response.media_type == "application/problem+json"
    assert response.content.field == field and field in response.content.detail


def test_a_missing_body_is_a_400_saying_so():
    extra = [{"message": "'data'", "key": "data", "source": "body"}]
    response = on_validation(None, ValidationException("x", extra=extra))  # type: ignore[arg-type]
    assert response.status_code == 400 and "body" in response.content.detail


def test_passwords_are_checked_against_their_scrypt_hash():
    stored = password_hash("correct horse")
    assert password_matches("correct horse", stored)
    assert not password_matches("wrong", stored)


def test_webhook_signatures_are_hmac_sha256_of_the_body_and_retries_back_off():
    assert (
        signature("k", b"{}")
        == "sha256=" + __import__("hmac").new(b"k", b"{}", "sha256").hexdigest()
    )
    assert [backoff(n, 0.5, 5) for n in (1, 2, 3, 4, 5)] == [0.5, 1, 2, 4, 5]


async def finite(*bodies: bytes) -> AsyncIterator[bytes]:
    for body in bodies:
        yield body


async def test_the_event_stream_filters_by_type_and_sends_a_republished_event_once():
    a = b'{"id":"1","type":"io.tollgate.ideation.workshop_held.v1","subject":"i"}'
    b = b'{"id":"2","type":"io.tollgate.ideation.idea_scored.v1","subject":"i"}'
    wanted = ["io.tollgate.ideation.workshop_held.v1"]
    sent = [m async for m in messages(finite(a, b"not json", b, a), wanted)]
    assert [(m.id, m.event) for m in sent] == [("1", wanted[0])]


def test_the_stream_subscribes_to_the_narrowest_subject():
    one = subject_for(DEFAULT, "i-1", ["io.tollgate.poc.gate_decided.v1"], None)
    assert one == "tollgate.events.poc.gate_decided.i-1"
    assert subject_for(DEFAULT, None, [], "pilot") == "tollgate.events.pilot.*.*"


def test_the_asyncapi_server_is_the_instances_nats_without_credentials():
    doc = document(DEFAULT, "nats://alice:s3cret@nats.example.com:4223,tls://token@10.0.0.2")
    assert {name: (s["host"], s["protocol"]) for name, s in doc["servers"].items()} == {
        "nats": ("nats.example.com:4223", "nats"),
        "nats-2": ("10.0.0.2:4222", "nats"),
    }
    assert "s3cret" not in str(doc) and "token@" not in str(doc)


def test_the_asyncapi_envelope_tells_the_global_position_from_the_stage_position():
    doc = document(DEFAULT)
    envelope = doc["components"]["messages"]["poc.gate_decided.v1"]["payload"]["properties"]
    assert "JetStream stream sequence" in envelope["position"]["description"]
    assert "stage service's own store" in envelope["stageposition"]["description"]
    reply = doc["components"]["schemas"]["CommandReply"]["properties"]["position"]
    assert reply["description"] == envelope["position"]["description"]


def test_the_asyncapi_document_has_a_message_and_channel_for_every_event_type():
    doc = document(DEFAULT)
    names = {m["name"] for m in doc["components"]["messages"].values()}
    assert set(EVENT_TYPES) <= names
    assert doc["asyncapi"] == "3.0.0"
    for operation in doc["operations"].values():
        channel = operation["channel"]["$ref"].split("/")[-1]
        assert channel in doc["channels"]


def test_a_measurement_time_without_its_offset_is_refused_at_the_door():
    naive = {"value": 1.0, "at": "2026-11-20T00:00:00"}
    with pytest.raises(msgspec.ValidationError, match="timezone"):
        msgspec.convert(naive, MeasurementBody)  # it would have stopped the projection
    aware = msgspec.convert({**naive, "at": "2026-11-20T00:00:00Z"}, MeasurementBody)
    assert aware.at is not None and aware.at.tzinfo is not None
