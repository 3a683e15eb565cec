"""The demo's EU AI Act obligations (PRODUCT.md section 10) on the high-risk HR screening
pilot (demo-04), sent to the pilot service as its real commands: the company recorded as the
provider (built in-house), some obligations met with evidence, some in progress, the rest
open, and two serious incidents with their Art. 73 report deadlines: one due in twelve days,
one whose report is past its fifteen days (overdue on the board and in the team's inbox).

Fixed ids make a second run change nothing; a pilot that is not running (the portfolio
changed) gets none of it, and the rest of the demo goes on.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from events import pilot
from events.base import Actor, Command
from events.compliance import ObligationState, RecordAiRole, RecordObligationStatus
from infra.driver import Driver, StepFailed

log = logging.getLogger("tollgate.demo")
PILOT = "demo-04"
CARLOS = Actor(id="carlos", name="carlos", roles=("contributor",))
STATUSES: tuple[tuple[str, ObligationState, str], ...] = (
    ("ai_literacy", "met", "AI literacy course for all recruiters, completed 2026-10-14"),
    ("classify", "met", "Annex III 4(a): recruitment and selection of natural persons"),
    ("human_oversight", "met", "Recruiters review every shortlist; override in the ATS"),
    ("logging", "met", "Every ranking logged with model version, kept 24 months"),
    ("risk_mgmt", "in_progress", "Risk register v0.3, reviewed monthly"),
    ("data_gov", "in_progress", "Bias examination of the 2024 applications running"),
    ("tech_doc", "in_progress", "Annex IV outline drafted"),
)


def commands(now: datetime) -> list[Command]:
    role = RecordAiRole(
        initiative_id=PILOT, at=now - timedelta(days=20), actor=CARLOS, role="provider",
        reason="Built in-house and used under our own name",
    )  # fmt: skip
    statuses = [
        RecordObligationStatus(initiative_id=PILOT, at=now - timedelta(days=19 - n),
                               actor=CARLOS, obligation_id=oid, status=status, evidence=evidence)
        for n, (oid, status, evidence) in enumerate(STATUSES)
    ]  # fmt: skip
    incidents = [
        pilot.ReportIncident(
            initiative_id=PILOT, at=now - timedelta(days=16), actor=CARLOS,
            incident_id="demo-serious-1", title="Applicant's health data used in a ranking",
            severity="high", serious="fundamental_rights", aware_at=now - timedelta(days=16),
            description="A free-text field with a medical note lowered a candidate's rank.",
        ),
        pilot.ReportIncident(
            initiative_id=PILOT, at=now - timedelta(days=2), actor=CARLOS,
            incident_id="demo-serious-2", title="Applicants over 50 ranked lower",
            severity="high", serious="fundamental_rights", aware_at=now - timedelta(days=3),
            causal_link_at=now - timedelta(days=2),
            description="An age proxy (graduation year) weighed in the ranking.",
        ),
        RecordObligationStatus(
            initiative_id=PILOT, at=now - timedelta(days=2), actor=CARLOS,
            obligation_id="serious_incident.demo-serious-1", status="in_progress",
            evidence="Draft report to the market surveillance authority",
        ),
    ]  # fmt: skip
    return [role, *statuses, *incidents]


async def seed(driver: Driver, now: datetime) -> int:
    """Returns the last position it reached (0: nothing new)."""
    last = 0
    try:
        for command in commands(now):
            reply = await driver.step("pilot", command)
            last = max(last, reply.position or 0)
    except StepFailed as exc:
        log.warning("demo obligations left out: %s", exc)
    return last
