"""The demo's agents (launch/demo_agents.py) against the agents decider: two policies, an
approved draft sent on to its stage, a draft and a measurement waiting, a refusal
escalated to the sponsor; a second run changes nothing."""

from __future__ import annotations

from datetime import UTC, datetime

import msgspec

from api.agents import STAGE_COMMANDS
from events import agents
from events.base import Addressed, Command, Fact
from events.replies import CommandReply
from launch import demo_agents
from services.agents import decider


class AgentsDriver:
    """The agents service in memory; commands for the stages are only collected."""

    def __init__(self) -> None:
        self.streams: dict[str, list[Fact]] = {}
        self.staged: list[Addressed] = []

    async def step(self, service: str, command: Addressed) -> CommandReply:
        if service != "agents":
            self.staged.append(command)
            return CommandReply(ok=True, version=1, position=1)
        history = self.streams.setdefault(command.stream_id, [])
        state = decider.initial_state
        for event in history:
            state = decider.evolve(state, event)  # type: ignore[arg-type]
        new = decider.decide(command, state)  # type: ignore[arg-type]
        history.extend(new)
        raws = [msgspec.Raw(msgspec.json.encode(e)) for e in new]
        return CommandReply(ok=True, version=len(history), position=len(history), events=raws)


def of(driver: AgentsDriver, kind: type[Fact]) -> list[Fact]:
    return [e for events in driver.streams.values() for e in events if isinstance(e, kind)]


async def test_the_demo_agents_have_policies_drafts_and_a_refusal() -> None:
    driver, now = AgentsDriver(), datetime.now(UTC)
    await demo_agents.seed(driver, now)  # type: ignore[arg-type]
    assert {e.agent_id for e in of(driver, agents.PolicySet)} == {"kpi-agent", "doc-agent"}
    held = {e.action_id for e in of(driver, agents.ActionHeld)}
    approved = {e.action_id for e in of(driver, agents.ActionApproved)}
    assert held - approved == {"demo-draft-2", "demo-measure-1"}  # waiting
    assert [c.actor.id for c in driver.staged] == ["doc-agent"]  # the approved draft, once
    [escalated] = of(driver, agents.ActionEscalated)
    assert escalated.to == "carlos"  # doc-agent's sponsor
    for draft in of(driver, agents.ActionHeld):  # each is a whole stage command: approvable
        assert isinstance(draft, agents.ActionHeld) and draft.stage is not None
        command = STAGE_COMMANDS[draft.stage].decode(draft.command)
        assert isinstance(command, Command)
        assert (command.initiative_id, command.actor.id) == (draft.initiative_id, draft.agent_id)
    before = {k: list(v) for k, v in driver.streams.items()}
    await demo_agents.seed(driver, now)  # type: ignore[arg-type]
    assert driver.streams == before and len(driver.staged) == 1
