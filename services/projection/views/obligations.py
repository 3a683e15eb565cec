"""An initiative's EU AI Act obligations as read (PRODUCT.md section 10), pure.

The row's facts (events.records.Facts) keep the recorded role, statuses and serious
incidents; the obligations and their deadlines follow from them and the law's version in
force (events.obligations). Being overdue depends on the time of reading, so it is worked
out when read; the summary column keeps what the board needs to mark it (`marks`).
"""

from __future__ import annotations

from datetime import date, datetime

import msgspec

from events.ai_act import CURRENT_VERSION, VERSIONS
from events.base import Frozen
from events.compliance import CompanyRole, RoleSwitch
from events.criteria import CURRENT_VERSION as CRITERIA_VERSION
from events.gates import RiskClass
from events.obligations import Duty, duties, overdue, risk_of, role_of
from services.projection.views.initiative import Initiative
from services.projection.views.summary import Summary

REGISTERED = ("pilot", "mvp", "production")  # the stages the AI register lists


class ObligationRow(Duty, frozen=True, kw_only=True):
    in_force: bool = False  # the law applies it on the day read
    overdue: bool = False


class Obligations(Frozen, frozen=True, kw_only=True):
    initiative_id: str
    title: str
    stage: str
    status: str
    purpose: str  # the problem it solves: what the system is for
    goal: str = ""  # the business goal
    risk_class: RiskClass | None
    role: CompanyRole
    role_reason: str
    role_recorded: bool
    switch: RoleSwitch | None = None
    version: str = CURRENT_VERSION
    law: str = ""
    criteria_version: str = CRITERIA_VERSION
    obligations: list[ObligationRow] = []
    open: int = 0
    overdue: int = 0


def launched(s: Summary) -> bool:
    return s.status == "launched" or s.stage == "production"


def tracked(s: Summary) -> bool:
    """A killed initiative's obligations are no longer tracked (services.compliance refuses
    to record them): none is overdue, on its page, its board card or in an inbox."""
    return s.status != "killed"


def obligations_of(row: Initiative, now: datetime) -> Obligations:
    f, s = row.facts, row.summary
    role, reason = role_of(f)
    live, done = tracked(s), launched(s)
    found = [_row(d, now.date(), live and overdue(d, now, launched=done)) for d in duties(f)]
    # what needs doing first: overdue, then dated (incident reports), then the law's order
    rows = sorted(found, key=lambda r: (not r.overdue, r.deadline is None))
    return Obligations(
        initiative_id=row.initiative_id, title=s.title, stage=s.stage, status=s.status,
        purpose=f.problem_statement or "", goal=f.business_goal or "",
        risk_class=risk_of(f), role=role, role_reason=reason,
        role_recorded=f.compliance.role is not None, switch=f.compliance.switch,
        law=VERSIONS[CURRENT_VERSION].law, obligations=rows,
        open=sum(r.status != "met" for r in rows), overdue=sum(r.overdue for r in rows),
    )  # fmt: skip


def _row(d: Duty, today: date, late: bool) -> ObligationRow:
    fields = {f: getattr(d, f) for f in d.__struct_fields__}
    in_force = d.applies_from is not None and d.applies_from <= today
    return ObligationRow(**fields, in_force=in_force, overdue=late)


def marks(row: Initiative) -> Summary:
    """The summary with what the board needs to mark overdue obligations when read."""
    open_ = [d for d in duties(row.facts) if d.status != "met"]
    deadlines = tuple(sorted(d.deadline for d in open_ if d.deadline is not None))
    before = sum(d.before_launch for d in open_)
    return msgspec.structs.replace(
        row.summary,
        obligations_open=len(open_),
        obligation_deadlines=deadlines,
        obligations_before_launch_open=before,
    )


def overdue_count(s: Summary, now: datetime) -> int:
    """From the summary column: unmet obligations past their deadline."""
    if not tracked(s):
        return 0
    late = sum(d < now for d in s.obligation_deadlines)
    return late + (s.obligations_before_launch_open if launched(s) else 0)


class Waiting(Frozen, frozen=True, kw_only=True):
    duty: Duty
    text: str
    since: datetime
    late: bool  # due before launch, and launched


def waiting(row: Initiative) -> list[Waiting]:
    """What waits in the inbox: a serious incident's report (due by its Art. 73 deadline)
    until met, and after launch each duty that was due before launch and is not met."""
    s = row.summary
    if not tracked(s):
        return []
    aware = {i.incident_id: i.aware_at for i in row.facts.compliance.serious}
    decided = s.last_decision.at if s.last_decision else None
    found = []
    for d in duties(row.facts):
        late = launched(s) and d.before_launch
        since = aware.get(d.incident_id or "") or decided or s.updated_at
        if d.status == "met" or (d.deadline is None and not late) or since is None:
            continue
        found.append(Waiting(duty=d, text=_waiting_text(d, late), since=since, late=late))
    return found


def _waiting_text(d: Duty, late: bool) -> str:
    text = f"{d.title} (Art. {d.article})"
    if d.deadline is not None:
        return f"{text}: due by {d.deadline:%Y-%m-%d %H:%M} UTC"
    return f"Launched, yet not met: {text}" if late else text
