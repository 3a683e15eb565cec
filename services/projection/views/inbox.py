"""The inbox: what waits on whom, derived from an initiative's row (pure).

Each item says who it waits on: accounts (the owner and team members), a role (every
committee member), or free-text names matched to a user's name ignoring case (the
oversight design's accountable person is written as a name). `done_by` lists the accounts
it no longer waits on (a member who voted). An item leaves the inbox when the row no
longer yields it: the review was decided, the condition fulfilled, the recycled stage
sent to review again, the incident mitigated or resolved.

Agent drafts to approve (PRODUCT.md section 9) are items of kind "draft" too, written by
the agents side view (services/projection/agents_store.py) under the agent's stream id.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from msgspec.structs import replace

from events.base import Frozen, Role
from events.criteria import GATE_OF_STAGE
from events.gates import Gate
from services.projection.views.dossier_records import IncidentRecord
from services.projection.views.gate_history import Review, open_review
from services.projection.views.initiative import Initiative
from services.projection.views.obligations import waiting

Kind = Literal["review", "overdue", "condition", "recycled", "incident", "draft", "obligation"]
LIVE = ("active", "in_review")
COMMITTEE: tuple[Role, ...] = ("committee",)
LINKS: dict[Kind, str] = {  # where each kind is handled
    "review": "/reviews#review-{id}",
    "overdue": "/reviews#review-{id}",
    "condition": "/initiatives/{id}#conditions-title",
    "recycled": "/initiatives/{id}#readiness-title",
    "incident": "/initiatives/{id}#work",
    "draft": "/initiatives/{id}",
    "obligation": "/initiatives/{id}#obligations-title",
}


class InboxItem(Frozen, frozen=True, kw_only=True):
    """One thing waiting on a user, as they see it."""

    initiative_id: str
    key: str  # unique within the initiative while it waits
    kind: Kind
    title: str  # the initiative's
    text: str  # what waits, in words
    since: datetime
    link: str  # the page where it is handled
    gate: Gate | None = None
    overdue: bool = False  # a review past its service level
    due_at: datetime | None = None
    by: tuple[str, ...] = ()  # who put it there (they are not notified of it)
    urgent: bool = False  # mailed at once whatever the digest choice (a serious incident)
    incident_id: str | None = None  # an incident's item: which one


class Addressed(Frozen, frozen=True, kw_only=True):
    """An item and who it waits on."""

    item: InboxItem
    accounts: tuple[str, ...] = ()
    roles: tuple[Role, ...] = ()
    names: tuple[str, ...] = ()  # lower case
    done_by: tuple[str, ...] = ()


def items(row: Initiative) -> list[Addressed]:
    """Everything the initiative has waiting, on anyone."""
    s = row.summary
    if not s.proposed_at and not s.title:
        return []
    return [*_reviews(row), *_conditions(row), *_recycled(row), *_incidents(row),
            *_obligations(row)]  # fmt: skip


def members(row: Initiative) -> tuple[str, ...]:
    """The owner's and the team members' accounts."""
    s = row.summary
    found = [s.owner_account] if s.owner_account else []
    found += [p.account for p in s.team if p.account and p.account not in found]
    return tuple(found)


def _item(
    row: Initiative,
    key: str,
    kind: Kind,
    text: str,
    since: datetime,
    *,
    gate: Gate | None = None,
    review: Review | None = None,
    by: tuple[str, ...] = (),
) -> InboxItem:
    late = review is not None and review.overdue_at is not None
    return InboxItem(
        initiative_id=row.initiative_id,
        key=key,
        kind=kind,
        title=row.summary.title,
        text=text,
        since=since,
        link=LINKS[kind].format(id=row.initiative_id),
        gate=gate,
        overdue=late,
        due_at=review.due_at if review and late else None,
        by=by,
    )


def _reviews(row: Initiative) -> list[Addressed]:
    s = row.summary
    if s.status == "launched" and s.re_review and s.re_review_at:
        text = f"Re-review in production: {s.re_review}"
        key = f"re-review:{s.re_review_at.isoformat()}"
        return [Addressed(item=_item(row, key, "review", text, s.re_review_at), roles=COMMITTEE)]
    gate = GATE_OF_STAGE.get(s.stage)
    review = open_review(row.gates)
    if s.status != "in_review" or review is None or review.gate != gate:
        return []
    since = review.requested_at or review.overdue_at or s.updated_at
    if since is None:
        return []
    asked = f" by {review.requested_by}" if review.requested_by else ""
    text = f"Decide {gate}: review requested{asked}"
    key = f"review:{gate}:{since.isoformat()}"
    asker = (review.requested_by,) if review.requested_by else ()
    found = _item(row, key, "review", text, since, gate=gate, review=review, by=asker)
    voters = tuple(dict.fromkeys(v.voter for v in review.votes))
    return [Addressed(item=found, roles=COMMITTEE, done_by=voters), *_escalation(row, review)]


def _escalation(row: Initiative, review: Review) -> list[Addressed]:
    """An overdue review escalated to the committee chair waits on the chair until decided."""
    if review.overdue_at is None or review.escalated_to is None:
        return []
    text = f"Escalated to you: the {review.gate} review is overdue"
    key = f"overdue:{review.gate}:{review.overdue_at.isoformat()}"
    found = _item(row, key, "overdue", text, review.overdue_at, gate=review.gate, review=review)
    return [Addressed(item=found, accounts=(review.escalated_to,))]


def _conditions(row: Initiative) -> list[Addressed]:
    if row.summary.status not in LIVE:
        return []
    found: dict[str, Addressed] = {}
    for r in row.gates.reviews:
        d = r.decision
        for c in d.conditions if d else ():
            if d is None or c.fulfilled or c.condition_id in found:
                continue
            text = f"Fulfil the {r.gate} condition: {c.text}"
            key = f"condition:{c.condition_id}"
            item = _item(row, key, "condition", text, d.at, gate=r.gate, by=d.decided_by)
            found[c.condition_id] = Addressed(item=item, accounts=members(row), roles=COMMITTEE)
    return list(found.values())


def _recycled(row: Initiative) -> list[Addressed]:
    s, last = row.summary, row.summary.last_decision
    gate = GATE_OF_STAGE.get(s.stage)
    if s.status != "active" or last is None or last.decision != "recycle" or last.gate != gate:
        return []
    text = f"Rework after {gate} was recycled: {last.rationale}"
    key = f"recycled:{gate}:{last.at.isoformat()}"
    found = _item(row, key, "recycled", text, last.at, gate=gate, by=_deciders(row, last.at))
    return [Addressed(item=found, accounts=members(row))]


def _deciders(row: Initiative, at: datetime) -> tuple[str, ...]:
    """Who took the decision made at `at`."""
    for r in row.gates.reviews:
        if r.decision is not None and r.decision.at == at:
            return r.decision.decided_by
    return ()


def _incidents(row: Initiative) -> list[Addressed]:
    """Open incidents of a live pilot (where their status can change) wait on the oversight
    design's accountable person, or on the owner and team while none is named. A high or
    critical one is urgent (mailed at once) and says by when to acknowledge it; escalated
    unacknowledged, it waits on the committee chair too (PRODUCT.md section 9)."""
    s = row.summary
    if s.stage != "pilot" or s.status not in LIVE:
        return []
    oversight = row.dossier.oversight
    accountable = ((oversight.accountable if oversight else row.facts.accountable) or "").strip()
    waiting: list[Addressed] = []
    for i in (i for i in row.dossier.incidents if i.status == "open"):
        since = i.changes[-1].at if i.changes else i.reported_at
        item = _incident_item(row, i, f"incident:{i.incident_id}:{since.isoformat()}", since)
        if accountable:
            waiting.append(Addressed(item=item, names=(accountable.lower(),)))
        else:
            waiting.append(Addressed(item=item, accounts=members(row)))
        waiting += _escalated_incident(row, i)
    return waiting


def _incident_item(row: Initiative, i: IncidentRecord, key: str, since: datetime) -> InboxItem:
    text = f"Open {i.severity} incident: {i.title}"
    due = i.escalates_at if i.acknowledged_by is None else None
    if i.acknowledged_by is not None:
        text += f" (acknowledged by {i.acknowledged_by})"
    elif i.escalated_at is not None:
        to = f"escalated to {i.escalated_to}" if i.escalated_to else "no committee chair is named"
        text += f"; not acknowledged in time, {to}"
    elif due is not None:
        text += f"; acknowledge it by {due:%Y-%m-%d %H:%M} UTC or it goes to the committee chair"
    item = _item(row, key, "incident", text, since)
    link = f"/initiatives/{row.initiative_id}#incident-{i.incident_id}"
    late = due is not None and i.escalated_at is not None
    urgent = i.escalates_at is not None
    return replace(
        item, link=link, due_at=due, overdue=late, urgent=urgent, incident_id=i.incident_id
    )


def _escalated_incident(row: Initiative, i: IncidentRecord) -> list[Addressed]:
    """An unacknowledged incident escalated to the chair waits on the chair until someone
    acknowledges it or its status changes."""
    if i.escalated_at is None or i.escalated_to is None or i.acknowledged_by is not None:
        return []
    text = f"Escalated to you: the {i.severity} incident “{i.title}” was not acknowledged in time"
    key = f"incident-escalated:{i.incident_id}:{i.escalated_at.isoformat()}"
    item = _item(row, key, "incident", text, i.escalated_at)
    link = f"/initiatives/{row.initiative_id}#incident-{i.incident_id}"
    found = replace(item, link=link, due_at=i.escalates_at, overdue=True, urgent=True,
                    incident_id=i.incident_id)  # fmt: skip
    return [Addressed(item=found, accounts=(i.escalated_to,))]


def as_read(item: InboxItem, now: datetime) -> InboxItem:
    """The item as read at `now`: an obligation's report is overdue once its deadline has
    passed, which the stored item, written when the initiative last changed, cannot know."""
    late = item.kind == "obligation" and item.due_at is not None and item.due_at < now
    return replace(item, overdue=True) if late and not item.overdue else item


def _obligations(row: Initiative) -> list[Addressed]:
    """EU AI Act obligations waiting on the owner and team (views/obligations.waiting)."""
    found = []
    for w in waiting(row):
        item = _item(row, f"obligation:{w.duty.id}", "obligation", w.text, w.since)
        urgent = w.duty.deadline is not None
        item = replace(item, due_at=w.duty.deadline, overdue=w.late, urgent=urgent)
        found.append(Addressed(item=item, accounts=members(row)))
    return found
