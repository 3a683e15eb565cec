"""An initiative's EU AI Act obligations, from its risk class, the company's role and its
recorded facts (pure; the data is events.ai_act).

- prohibited: the Art. 5 check; high: the provider's or the deployer's duties; limited: the
  transparency duties of Art. 50; minimal: nothing beyond Art. 4 literacy and voluntary
  codes; not yet classified: Art. 4 literacy only. GPAI model duties are kept in the data
  but never chosen: Tollgate tracks AI systems, not models. The Art. 6(3) derogation is
  for systems classified out of high risk, so a high-risk system does not get it.
- The role is the recorded one; until one is recorded it follows the sourcing decision
  (build: the provider; buy or partner: a deployer), else the provider (the larger set).
- Each serious incident of a high-risk system adds its Art. 73 report, due 15 days after
  awareness, 10 if a person died, 2 for a widespread infringement or a serious disruption
  of critical infrastructure. Calendar days (Reg. 1182/71) are an inference: flagged.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

import msgspec

from events.ai_act import CURRENT_VERSION, VERSIONS, Confirmed, Obligation, Who
from events.compliance import (
    CompanyRole,
    ObligationState,
    ObligationStatus,
    SeriousIncident,
    SeriousKind,
)
from events.gates import RiskClass
from events.records import Facts

NEVER_CHOSEN = frozenset({"not_high_risk_doc"})
ART73: dict[SeriousKind, tuple[int, str]] = {  # days after awareness, the paragraph
    "health": (15, "73(2)"),
    "fundamental_rights": (15, "73(2)"),
    "property_environment": (15, "73(2)"),
    "death": (10, "73(4)"),
    "critical_infrastructure": (2, "73(3)"),
    "widespread": (2, "73(3)"),
}
Measured = tuple[float, str]


class Duty(msgspec.Struct, frozen=True, kw_only=True):
    """One obligation of one initiative, with its recorded status."""

    id: str
    article: str
    title: str
    who: Who
    time_limit: str
    applies_from: date | None
    applies_note: str = ""
    confirmed: Confirmed | None = None
    before_launch: bool = False
    where: str = ""
    status: ObligationState = "open"
    evidence: str = ""
    recorded_by: str = ""
    recorded_at: datetime | None = None
    deadline: datetime | None = None  # where the law sets one from recorded facts
    deadline_inferred: bool = False  # counted in calendar days: an inference
    incident_id: str | None = None
    # a serious incident's report: the Art. 3(49) kind and the recorded Art. 73 facts
    serious: SeriousKind | None = None
    aware_at: datetime | None = None
    causal_link_at: datetime | None = None  # None: no causal link established yet
    version: str = CURRENT_VERSION


def report_due(kind: SeriousKind, aware_at: datetime) -> datetime:
    """The Art. 73 deadline: calendar days after the company became aware."""
    return aware_at + timedelta(days=ART73[kind][0])


def role_of(facts: Facts) -> tuple[CompanyRole, str]:
    """The company's role for the system, and why (recorded, or inferred)."""
    c = facts.compliance
    if c.role is not None:
        return c.role, c.role_reason
    if facts.sourcing == "build":
        return "provider", "not recorded: built in-house (sourcing build), so the provider"
    if facts.sourcing in ("buy", "partner"):
        return "deployer", f"not recorded: sourcing {facts.sourcing}, so a deployer"
    return "provider", "not recorded: the provider assumed, the larger set of duties"


def risk_of(facts: Facts) -> RiskClass | None:
    return facts.risk_class or facts.risk_preclass


def chosen(
    risk: RiskClass | None, role: CompanyRole, version: str = CURRENT_VERSION
) -> tuple[Obligation, ...]:
    """The obligations of a risk class for a role, in the order of the law."""
    return tuple(
        o
        for o in VERSIONS[version].obligations
        if o.scope in ("all", risk) and o.who in (role, "both") and o.id not in NEVER_CHOSEN
    )


def duties(facts: Facts, version: str = CURRENT_VERSION) -> tuple[Duty, ...]:
    """The initiative's obligations with their status, serious-incident reports last."""
    risk, (role, _) = risk_of(facts), role_of(facts)
    general = [_duty(o, version) for o in chosen(risk, role, version)]
    reports = [] if risk != "high" else [_report(s, role, version) for s in _serious(facts)]
    return tuple(_with_status(d, facts.compliance.status_of(d.id)) for d in (*general, *reports))


def overdue(duty: Duty, now: datetime, *, launched: bool = False) -> bool:
    """Not met, and its deadline passed (a launched system is past `before_launch`)."""
    if duty.status == "met":
        return False
    return (duty.deadline is not None and now > duty.deadline) or (launched and duty.before_launch)


def due_before_launch(facts: Facts) -> list[Duty]:
    """The duties the G4 criterion asks for: before-launch ones and incident reports."""
    return [d for d in duties(facts) if d.before_launch or d.deadline is not None]


def obligations_due_open(facts: Facts, _: float = 0) -> Measured:
    """The G4 measure: how many obligations due before launch are not met, in words."""
    due = due_before_launch(facts)
    left = [d for d in due if d.status != "met"]
    if not due:
        return 0, "No obligation is due before launch for this risk class and role"
    if not left:
        return 0, f"All {len(due)} obligations due before launch are met"
    return len(left), "Not met: " + "; ".join(_sentence(d) for d in left)


def _sentence(d: Duty) -> str:
    when = f", due {d.deadline:%Y-%m-%d %H:%M} UTC" if d.deadline else ""
    return f"{d.title} (Art. {d.article}){when}, {d.status.replace('_', ' ')}"


def _duty(o: Obligation, version: str) -> Duty:
    return Duty(
        id=o.id, article=o.article, title=o.title, who=o.who, time_limit=o.time_limit,
        applies_from=o.applies_from, applies_note=o.applies_note, confirmed=o.confirmed,
        before_launch=o.before_launch, where=o.where, version=version,
    )  # fmt: skip


def _serious(facts: Facts) -> list[SeriousIncident]:
    return sorted(facts.compliance.serious, key=lambda s: (s.aware_at, s.incident_id))


def _report(s: SeriousIncident, role: CompanyRole, version: str) -> Duty:
    days, paragraph = ART73[s.kind]
    base = VERSIONS[version].get("serious_incident")
    title = (
        f"Report the serious incident \u201c{s.title}\u201d to the market surveillance authority"
    )
    if role == "deployer":
        title = f"Serious incident \u201c{s.title}\u201d: inform the provider at once (it reports)"
    return Duty(
        id=f"serious_incident.{s.incident_id}", incident_id=s.incident_id,
        article=paragraph if role == "provider" else f"26(5), {paragraph}", title=title,
        who=role, time_limit=f"no later than {days} days after awareness",
        applies_from=base.applies_from if base else None,
        confirmed=base.confirmed if base else None,
        deadline=report_due(s.kind, s.aware_at), deadline_inferred=True, version=version,
        serious=s.kind, aware_at=s.aware_at, causal_link_at=s.causal_link_at,
    )  # fmt: skip


def _with_status(d: Duty, s: ObligationStatus | None) -> Duty:
    if s is None:
        return d
    return msgspec.structs.replace(
        d, status=s.status, evidence=s.evidence, recorded_by=s.recorded_by, recorded_at=s.at
    )


MEASURES = (obligations_due_open,)
