"""Incident time limits as versioned data: how long a serious incident may wait for a person
to acknowledge it before it escalates to the committee chair (PRODUCT.md section 9).

An incident of a severity listed here notifies the oversight design's accountable person at
once; if no one acknowledges it within its limit, Tollgate raises `incident_escalated`
(the version in force is recorded on the event, so an escalation stays explainable after
the limits change). Severities not listed never escalate. A change of the limits is a new
version, never an edit of an old one.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated

import msgspec

from events.pilot import Severity

Hours = Annotated[int, msgspec.Meta(ge=1, le=24 * 30)]


class IncidentLimits(msgspec.Struct, frozen=True, kw_only=True):
    version: str
    hours: dict[Severity, Hours]  # the longest an incident of the severity may wait


LIMITS: dict[str, IncidentLimits] = {
    "2026-1": IncidentLimits(version="2026-1", hours={"critical": 4, "high": 24}),
}
CURRENT_VERSION = "2026-1"


def limits(version: str = CURRENT_VERSION) -> IncidentLimits:
    return LIMITS[version]


def escalates(severity: Severity, version: str = CURRENT_VERSION) -> bool:
    """Whether an incident of this severity notifies at once and escalates when ignored."""
    return severity in limits(version).hours


def due_at(severity: Severity, reported_at: datetime, version: str = CURRENT_VERSION) -> datetime:
    """When an unacknowledged incident escalates; only for severities that escalate."""
    return reported_at + timedelta(hours=limits(version).hours[severity])


def due_or_none(
    severity: Severity, reported_at: datetime, version: str = CURRENT_VERSION
) -> datetime | None:
    return due_at(severity, reported_at, version) if escalates(severity, version) else None
