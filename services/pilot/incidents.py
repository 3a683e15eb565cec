"""The pilot's incident escalation rule (PRODUCT.md section 9), pure like the decider.

Rules:
- only a person acknowledges an incident, never an agent: the accountable person of the
  oversight design (matched to the person's account or name, ignoring case), a committee
  member (the chair it escalates to) or an admin; while no one is named accountable, also
  whoever may record pilot work on the initiative;
- acknowledging needs a known incident and an open pilot; acknowledging it again is a no-op;
- only Tollgate itself escalates, and only an open, unacknowledged incident of a severity
  that escalates (events.incident_limits) that has waited past its time limit; an
  escalated, acknowledged, mitigated or resolved incident, or a pilot no longer open, is a
  no-op (someone has acted, or no one can any more).
"""

from __future__ import annotations

from events import incident_limits, pilot
from events.base import Actor, Event, Role
from events.errors import Forbidden, NotFound, Refused
from events.records import Incident
from services.stage import StageState, guard_live, guard_worker, record

KIT = pilot.GATE
STEWARDS: tuple[Role, ...] = ("committee", "admin")
LIVE = ("active", "in_review")


def known(state: StageState, incident_id: str) -> Incident:
    incident = state.facts.incidents.get(incident_id)
    if incident is None:
        raise NotFound(f"no incident {incident_id} in this pilot")
    return incident


def acknowledge(command: pilot.AcknowledgeIncident, state: StageState) -> list[Event]:
    if command.actor.kind != "person":
        raise Forbidden("only a person acknowledges an incident; an agent never does")
    incident = known(state, command.incident_id)
    guard_live(KIT, state)
    _guard_answerable(state, command.actor)
    if incident.acknowledged_by is not None:
        return []
    return [record(command, pilot.IncidentAcknowledged, acknowledged_by=command.actor.id)]


def _guard_answerable(state: StageState, actor: Actor) -> None:
    accountable = (state.facts.accountable or "").strip().lower()
    if actor.has_role(*STEWARDS) or accountable in (actor.id.lower(), actor.name.lower()):
        return
    if accountable:
        raise Forbidden(
            f"{actor.id} may not acknowledge it: the accountable person"
            f" ({state.facts.accountable}), the committee or an admin does"
        )
    guard_worker(KIT, state, actor)


def escalate(command: pilot.EscalateIncident, state: StageState) -> list[Event]:
    if command.actor.kind != "system":
        raise Forbidden("only Tollgate's scheduler escalates an incident")
    incident = known(state, command.incident_id)
    waiting = incident.status == "open" and not incident.escalated
    if not waiting or incident.acknowledged_by is not None or state.status not in LIVE:
        return []
    if incident.reported_at is None or not incident_limits.escalates(incident.severity):
        return []
    due = incident_limits.due_at(incident.severity, incident.reported_at)
    if command.at < due:
        raise Refused(f"incident {command.incident_id} escalates at {due.isoformat()}, not before")
    limits = incident_limits.limits()
    return [
        pilot.IncidentEscalated(
            initiative_id=command.initiative_id,
            at=command.at,
            incident_id=command.incident_id,
            severity=incident.severity,
            reported_at=incident.reported_at,
            due_at=due,
            limit_hours=limits.hours[incident.severity],
            limits_version=limits.version,
            accountable=state.facts.accountable,
            escalated_to=command.chair,
        )
    ]
