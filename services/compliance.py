"""Recording the company's role and the status of an obligation (EU AI Act), shared by
every stage decider.

Rules:
- the stage that holds the initiative now records them: active, in review, on hold and
  after launch (the duties go on); not before the stage opened, once it moved on, or after
  a kill;
- a contributor records them on every initiative, an owner on those they own or are on
  the team of (services.stage.guard_worker); agents as their role allows;
- a role says why (a blank reason is invalid); an Art. 25 switch (own name, substantial
  modification, new high-risk purpose) makes the company the provider: a switch with the
  deployer role is invalid;
- the obligation must be one of the initiative's for its risk class and role now
  (events.obligations), named by id; met needs the evidence;
- the same role and reason, or the same status and evidence, again is a no-op;
- a serious incident's awareness is not after its report, nor its causal link before the
  awareness; only a serious incident records them (they start the Art. 73 clock).
"""

from __future__ import annotations

from datetime import datetime

from events.base import Event
from events.compliance import (
    AiRoleRecorded,
    ObligationStatusRecorded,
    RecordAiRole,
    RecordObligationStatus,
)
from events.errors import Invalid, NotFound
from events.gates import GateEvents
from events.obligations import duties
from services.stage import StageState, guard_held, guard_worker

CLOSED = "the initiative was killed; its obligations are no longer tracked"


def record_role(
    kit: GateEvents, c: RecordAiRole, s: StageState, recorded: type[AiRoleRecorded]
) -> list[Event]:
    guard_held(kit, s, CLOSED)
    guard_worker(kit, s, c.actor)
    if not c.reason.strip():
        raise Invalid(f"say why the company is the system's {c.role} (the reason is blank)")
    if c.switch is not None and c.role != "provider":
        raise Invalid(
            f"an Art. 25 switch ({c.switch}) makes the company the provider, not a deployer"
        )
    now = s.facts.compliance
    if (now.role, now.role_reason, now.switch) == (c.role, c.reason, c.switch):
        return []
    return [
        recorded(
            initiative_id=c.initiative_id, at=c.at, role=c.role, reason=c.reason,
            switch=c.switch, recorded_by=c.actor.id,
        )
    ]  # fmt: skip


def record_status(
    kit: GateEvents,
    c: RecordObligationStatus,
    s: StageState,
    recorded: type[ObligationStatusRecorded],
) -> list[Event]:
    guard_held(kit, s, CLOSED)
    guard_worker(kit, s, c.actor)
    known = {d.id: d for d in duties(s.facts)}
    if c.obligation_id not in known:
        raise NotFound(
            f"{c.obligation_id} is not one of this initiative's obligations; they are: "
            + ", ".join(sorted(known))
        )
    if c.status == "met" and not c.evidence.strip():
        raise Invalid(f"marking {known[c.obligation_id].title} met needs its evidence")
    d = known[c.obligation_id]
    if (d.status, d.evidence) == (c.status, c.evidence):
        return []
    return [
        recorded(
            initiative_id=c.initiative_id, at=c.at, obligation_id=c.obligation_id,
            status=c.status, evidence=c.evidence, recorded_by=c.actor.id,
        )
    ]  # fmt: skip


def check_serious(
    at: datetime, serious: str | None, aware_at: datetime | None, causal_at: datetime | None
) -> None:
    """The Art. 73 facts of an incident report make sense in time."""
    if serious is None and (aware_at or causal_at):
        raise Invalid("awareness and a causal link are recorded for a serious incident only")
    if aware_at is not None and aware_at > at:
        raise Invalid(f"the company cannot have become aware after now ({at:%Y-%m-%d %H:%M})")
    if causal_at is not None and not (aware_at or at) <= causal_at <= at:
        raise Invalid(
            "a causal link is established between the company becoming aware (aware_at, by"
            " default the report) and now"
        )
