"""Refining an initiative's business case, shared by every stage decider.

Rules:
- the stage that holds the initiative now records the case while it is live (active, in
  review, and after launch, when its running cost and value go on); not before the stage
  opened, once it moved on, on hold, or after a kill;
- a contributor records it on every initiative, an owner on those they own or are on the
  team of (services.stage.guard_worker); agents as their role allows;
- a value per unit needs the KPI that carries it; a named KPI must be one of the
  initiative's once it has KPIs (before, a planned KPI id is linked when defined): an
  unknown one is invalid input (422), the initiative itself was found;
- a case identical to the current one (from whichever stage) is a no-op.
"""

from __future__ import annotations

from events.base import Event
from events.business_case import BusinessCaseRefined, RefineBusinessCase
from events.errors import Invalid, NotOpen, Refused
from events.gates import GateEvents
from services.stage import StageState, guard_worker


def refine(
    kit: GateEvents,
    c: RefineBusinessCase,
    s: StageState,
    refined: type[BusinessCaseRefined],
) -> list[Event]:
    _guard_live(kit, s)
    guard_worker(kit, s, c.actor)
    _check_kpi(c, s)
    if s.facts.business_case == c.case:
        return []
    return [refined(initiative_id=c.initiative_id, at=c.at, case=c.case, refined_by=c.actor.id)]


def _guard_live(kit: GateEvents, s: StageState) -> None:
    match s.status:
        case "not_started":
            raise NotOpen(kit.stage)
        case "passed":
            raise Refused(f"initiative has moved on to {kit.next_stage}")
        case "killed":
            raise Refused("the initiative was killed; its business case is closed")
        case "on_hold":
            raise Refused("the initiative is on hold; resume it first")
        case "active" | "in_review" | "launched":
            return


def _check_kpi(c: RefineBusinessCase, s: StageState) -> None:
    kpi_id, kpis = c.case.kpi_id, s.facts.kpis
    if kpi_id is None and c.case.value_per_unit > 0:
        raise Invalid("a value per unit of KPI improvement needs the KPI that carries it (kpi_id)")
    if kpi_id is not None and kpis and kpi_id not in kpis:
        known = ", ".join(f"{k} ({v.definition.name})" for k, v in kpis.items())
        raise Invalid(f"no KPI {kpi_id} is defined for this initiative; its KPIs: {known}")
