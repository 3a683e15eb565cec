"""Actor kinds: a person, an AI agent, or Tollgate itself (`system`, automatic handoffs).
Tollgate is never shown as an agent, never votes, and no user can be made of its kind."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, get_args

import msgspec
import pytest
from litestar.testing import TestClient

from api.deps import Deps
from api.routes.users import UserBody
from api.users import add_user
from events.base import SYSTEM, ActorKind
from events.envelope import CloudEvent, Metadata
from events.errors import Forbidden
from infra.settings import Settings
from services.ideation import decider as ideation_decider
from tests.unit.deciders import given
from tests.unit.histories import AGENT, ready_for_g1, review
from tests.unit.test_gate import G1, vote
from web.app import create_web_app
from web.timeline import AUTOMATIC, entries

SETTINGS = Settings(database_url="postgresql://nowhere/none", nats_url="nats://nowhere")
AT = datetime(2026, 3, 1, tzinfo=UTC)


def cloudevent(actor: str, actorkind: str) -> bytes:
    return msgspec.json.encode({
        "specversion": "1.0", "id": f"e-{actor}", "source": "/tollgate/poc",
        "type": "io.tollgate.poc.poc_opened.v1", "subject": "i-1", "time": AT.isoformat(),
        "data": {"initiative_id": "i-1"}, "actor": actor, "actorkind": actorkind,
    })  # fmt: skip


def test_every_event_names_a_person_an_agent_or_tollgate_itself():
    assert set(get_args(ActorKind)) == {"person", "agent", "system"}
    schema = msgspec.json.schema(CloudEvent)["$defs"]["CloudEvent"]
    assert set(schema["properties"]["actorkind"]["enum"]) == {"person", "agent", "system"}


def test_the_automatic_handoff_actor_is_of_kind_system():
    assert (SYSTEM.id, SYSTEM.name, SYSTEM.kind) == ("system", "Tollgate", "system")


def test_an_envelope_with_another_actor_kind_is_refused():
    with pytest.raises(msgspec.ValidationError, match="actorkind"):
        msgspec.json.decode(cloudevent("bot", "robot"), type=CloudEvent)


def test_handoffs_stored_before_the_system_kind_read_as_system():
    legacy = msgspec.json.decode(b'{"actor": "system", "actorkind": "agent"}', type=Metadata)
    assert legacy.actorkind == "system"
    assert msgspec.json.decode(cloudevent("system", "agent"), type=CloudEvent).actorkind == "system"


def test_an_agent_stays_an_agent():
    assert msgspec.json.decode(cloudevent("kpi-bot", "agent"), type=CloudEvent).actorkind == "agent"


@pytest.mark.parametrize("kind", ["system", "agent"])  # agent: stored before the system kind
def test_the_timeline_shows_a_handoff_as_tollgate_not_as_an_agent(kind: str):
    [entry] = entries([cloudevent("system", kind)])
    assert (entry.actor, entry.agent) == (AUTOMATIC, False)


def test_the_timeline_marks_an_agent_and_not_a_person():
    # events of the same moment are listed latest first
    by_person, by_agent = entries([cloudevent("kpi-bot", "agent"), cloudevent("olivia", "person")])
    assert (by_agent.actor, by_agent.agent) == ("kpi-bot", True)
    assert (by_person.actor, by_person.agent) == ("olivia", False)


def test_tollgate_itself_never_votes_even_with_the_committee_role():
    tollgate = msgspec.structs.replace(SYSTEM, roles=("committee",))
    given(ideation_decider, ready_for_g1(), review(G1)).when(vote(actor=tollgate)).refused(
        Forbidden
    )
    assert AGENT.kind == "agent"  # the same rule that keeps agents out


def test_a_user_body_of_kind_system_is_invalid():
    with pytest.raises(msgspec.ValidationError, match="kind"):
        msgspec.convert({"name": "x", "role": "admin", "kind": "system"}, UserBody)


@pytest.mark.parametrize(("name", "kind"), [("tollgate-bot", "system"), ("system", "agent")])
async def test_no_user_is_made_of_the_system_kind_or_with_its_name(name: str, kind: str):
    with pytest.raises(ValueError, match=r"kind person or agent|Tollgate's own"):
        await add_user(None, name, "admin", kind)  # type: ignore[arg-type]  # refused first


class AdminPool:
    """Knows one admin token; stores nothing."""

    async def fetchrow(self, *_: object, **__: object) -> dict[str, Any]:
        return {"user_id": "00000000-0000-0000-0000-00000000000a", "name": "root",
                "role": "admin", "kind": "person", "refused": None, "stale": False,
                "token_id": "t1", "expires_at": datetime(2200, 1, 1, tzinfo=UTC)}  # fmt: skip


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "helper", "role": "contributor", "kind": "system"}, "kind"),
        ({"name": "system", "role": "contributor", "kind": "agent"}, "name"),
    ],
)
def test_the_api_refuses_a_user_of_the_system_kind_or_name(body: dict[str, str], field: str):
    deps = Deps(settings=SETTINGS, pool=AdminPool(), broker=None)  # type: ignore[arg-type]
    with TestClient(create_web_app(SETTINGS, deps)) as http:
        response = http.post("/api/v1/users", json=body, headers={"Authorization": "Bearer t"})
    assert response.status_code == 422, response.text
    assert response.json()["field"] == field
