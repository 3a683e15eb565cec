"""What an initiative records for the EU AI Act (PRODUCT.md section 10): the company's role
for the system and the status of each of its obligations, and its serious incidents.

Each stage subclasses AiRoleRecorded and ObligationStatusRecorded with its own tag: the
stage that holds the initiative records them, and the gate's handoff carries the whole
`Compliance` on, so the MVP service knows them at G4. Which obligations an initiative has
is data (events.ai_act), chosen by events.obligations.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

import msgspec
from msgspec.structs import replace

from events.base import Command, Event, Frozen, Id, Text, storable

CompanyRole = Literal["provider", "deployer"]
# Art. 25(1): a deployer (or anyone) becomes the provider of a high-risk system when it
# (a) puts its own name or trademark on it, (b) modifies it substantially, or
# (c) changes its intended purpose so that it becomes high-risk
RoleSwitch = Literal["own_name", "substantial_modification", "high_risk_purpose"]
ObligationState = Literal["open", "in_progress", "met"]
# Art. 3(49): (a) death or serious harm to health, (b) serious and irreversible disruption of
# critical infrastructure, (c) infringement of fundamental-rights obligations, (d) serious
# harm to property or the environment; Art. 3(61) a widespread infringement (73(3))
SeriousKind = Literal[
    "health", "death", "critical_infrastructure", "widespread", "fundamental_rights",
    "property_environment",
]  # fmt: skip
Evidence = Annotated[str, storable(0, 1000)]  # may be empty unless the obligation is met
Reason = Annotated[str, storable(1, 1000)]
# a moment of the Art. 73 clock: with its offset, or the deadline is not a point in time
Moment = Annotated[datetime, msgspec.Meta(tz=True)]


class AiRoleRecorded(Event, frozen=True, kw_only=True):
    """The company is the provider or a deployer of this system; `switch` names the Art. 25
    ground on which a deployer became its provider. One subclass per stage."""

    role: CompanyRole
    reason: Reason
    switch: RoleSwitch | None = None
    recorded_by: Id


class ObligationStatusRecorded(Event, frozen=True, kw_only=True):
    """An obligation's status now; it replaces the earlier one. One subclass per stage."""

    obligation_id: Id
    status: ObligationState
    evidence: Evidence = ""
    recorded_by: Id


class RecordAiRole(Command, tag="record-ai-role", frozen=True, kw_only=True):
    """Record whether the company is the provider or a deployer of the system, and why: by
    a contributor, or an owner on their own initiatives. A switch (Art. 25) makes it the
    provider."""

    role: CompanyRole
    reason: Reason
    switch: RoleSwitch | None = None


class RecordObligationStatus(Command, tag="record-obligation-status", frozen=True, kw_only=True):
    """Mark one of the initiative's obligations open, in progress or met (met needs the
    evidence): by a contributor, or an owner on their own initiatives."""

    obligation_id: Id
    status: ObligationState
    evidence: Evidence = ""


class ObligationStatus(Frozen, frozen=True, kw_only=True):
    obligation_id: Id
    status: ObligationState
    evidence: Evidence = ""
    recorded_by: Id
    at: datetime


class SeriousIncident(Frozen, frozen=True, kw_only=True):
    """A serious incident (Art. 3(49)) of the pilot, for the Art. 73 report duty."""

    incident_id: Id
    title: Text
    kind: SeriousKind
    aware_at: datetime
    causal_link_at: datetime | None = None


class Compliance(Frozen, frozen=True, kw_only=True):
    """The recorded facts; `role` None: not recorded (events.obligations infers it).
    Tuples, not maps, so that the handoff carrying it stays a plain bounded schema."""

    role: CompanyRole | None = None
    role_reason: Annotated[str, storable(0, 1000)] = ""
    switch: RoleSwitch | None = None
    statuses: Annotated[tuple[ObligationStatus, ...], msgspec.Meta(max_length=500)] = ()
    serious: Annotated[tuple[SeriousIncident, ...], msgspec.Meta(max_length=500)] = ()

    def status_of(self, obligation_id: str) -> ObligationStatus | None:
        return next((s for s in self.statuses if s.obligation_id == obligation_id), None)


def with_role(c: Compliance, e: AiRoleRecorded) -> Compliance:
    return replace(c, role=e.role, role_reason=e.reason, switch=e.switch)


def with_status(c: Compliance, e: ObligationStatusRecorded) -> Compliance:
    status = ObligationStatus(
        obligation_id=e.obligation_id, status=e.status, evidence=e.evidence,
        recorded_by=e.recorded_by, at=e.at,
    )  # fmt: skip
    others = tuple(s for s in c.statuses if s.obligation_id != e.obligation_id)
    return replace(c, statuses=(*others, status))


def with_serious(c: Compliance, incident: SeriousIncident) -> Compliance:
    others = tuple(s for s in c.serious if s.incident_id != incident.incident_id)
    return replace(c, serious=(*others, incident))


def merged(mine: Compliance, handed: Compliance | None) -> Compliance:
    """A stage opening: a decider starts from nothing and takes the handoff's; the
    projection, which folded every stage, already knows it all."""
    return handed if handed is not None and mine == Compliance() else mine
