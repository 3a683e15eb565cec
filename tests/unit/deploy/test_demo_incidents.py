"""The demo's incidents (launch/demo_incidents.py) against the pilot decider: a critical one
escalated to the chair, a high one waiting for its accountable person; a second run changes
nothing, and a pilot that is not running leaves them out without failing the demo."""

from __future__ import annotations

from datetime import UTC, datetime

import msgspec

from events import pilot
from events.base import Command, Event
from events.errors import DomainError
from events.gates import Handoff
from events.replies import CommandReply
from infra.driver import StepFailed
from launch import demo_incidents
from services.pilot import decider

NOW = datetime(2026, 11, 28, 12, tzinfo=UTC)
OPENED = pilot.PilotOpened(
    initiative_id=demo_incidents.PILOT,
    at=datetime(2026, 9, 1, tzinfo=UTC),
    handoff=Handoff(title="HVAC", owner="olivia", sponsor="cfo", accountable="olivia",
                    owner_account="olivia"),
)  # fmt: skip


class PilotDriver:
    """The pilot service in memory, for one stream."""

    def __init__(self, *history: Event) -> None:
        self.history: list[Event] = list(history)

    async def step(self, service: str, command: Command) -> CommandReply:
        assert service == "pilot"
        state = decider.initial_state
        for event in self.history:
            state = decider.evolve(state, event)  # type: ignore[arg-type]
        try:
            new = decider.decide(command, state)  # type: ignore[arg-type]
        except DomainError as exc:
            raise StepFailed(str(exc)) from exc
        self.history.extend(new)
        raws = [msgspec.Raw(msgspec.json.encode(e)) for e in new]
        n = len(self.history)
        return CommandReply(ok=True, version=n, position=n, events=raws)


async def test_the_demo_has_an_escalated_and_a_waiting_incident_once() -> None:
    driver = PilotDriver(OPENED)
    assert await demo_incidents.seed(driver, NOW) == 4  # type: ignore[arg-type]
    [escalated] = [e for e in driver.history if isinstance(e, pilot.IncidentEscalated)]
    assert (escalated.incident_id, escalated.escalated_to) == ("demo-incident-1", "clara")
    assert escalated.accountable == "olivia"
    reported = [e for e in driver.history if isinstance(e, pilot.IncidentReported)]
    assert [e.severity for e in reported] == ["critical", "high"]
    before = list(driver.history)
    await demo_incidents.seed(driver, NOW)  # type: ignore[arg-type]
    assert driver.history == before


async def test_a_pilot_that_is_not_running_gets_no_incident() -> None:
    driver = PilotDriver()
    assert await demo_incidents.seed(driver, NOW) == 0  # type: ignore[arg-type]
    assert driver.history == []
