"""The demo's serious incidents (PRODUCT.md section 9) on the HVAC pilot (demo-19, whose
oversight design names olivia accountable), sent to the pilot service as its real commands:

- a critical incident reported six hours ago that no one acknowledged within its four hours,
  escalated by Tollgate to clara as committee chair (what the notifier's scheduler does with
  TOLLGATE_COMMITTEE_CHAIR=clara): in clara's inbox, marked escalated on the dossier;
- a high incident reported an hour ago, waiting for olivia to acknowledge it within a day.

Fixed incident ids make a second run change nothing. A pilot that is not running (the
portfolio changed) gets no incident, and the rest of the demo goes on.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from events import pilot
from events.base import SYSTEM, Actor, Command
from infra.driver import Driver, StepFailed

log = logging.getLogger("tollgate.demo")
PILOT = "demo-19"
CHAIR = "clara"
CARLOS = Actor(id="carlos", name="carlos", roles=("contributor",))
ESCALATED = "demo-incident-1"


def commands(now: datetime) -> list[Command]:
    return [
        pilot.ReportIncident(
            initiative_id=PILOT, at=now - timedelta(hours=6), actor=CARLOS,
            incident_id=ESCALATED, title="Heating off in two server rooms overnight",
            severity="critical",
            description="The model read a failed sensor as 35 °C and shut the heating off.",
        ),
        pilot.EscalateIncident(
            initiative_id=PILOT, at=now, actor=SYSTEM, incident_id=ESCALATED, chair=CHAIR
        ),
        pilot.ReportIncident(
            initiative_id=PILOT, at=now - timedelta(hours=1), actor=CARLOS,
            incident_id="demo-incident-2", title="Setpoints drift at night in Vienna",
            severity="high",
        ),
    ]  # fmt: skip


async def seed(driver: Driver, now: datetime) -> int:
    """Returns the last position it reached (0: nothing new)."""
    last = 0
    try:
        for command in commands(now):
            reply = await driver.step("pilot", command)
            last = max(last, reply.position or 0)
    except StepFailed as exc:
        log.warning("demo incidents left out: %s", exc)
    return last
