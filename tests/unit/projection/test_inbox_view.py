"""The inbox view: each kind of waiting item appears for the right people and leaves when done."""

from __future__ import annotations

from functools import reduce
from typing import Any

from events import gates, ideation, pilot
from events.people import Person
from services.projection.views.inbox import Addressed, items
from services.projection.views.initiative import Initiative, initial, project
from tests.unit.projection.given import I, T, decided, handoff, proposed, review, vote

TEAM = (Person(name="ana", account="ana"), Person(name="bo", account="bo"), Person(name="Kim"))
IDEA = proposed(owner_account="ana", team=("ana", "bo", "Kim"), team_members=TEAM)
COUNCIL = gates.Condition(condition_id="c1", text="Works council consulted")


def fold(*events: Any) -> Initiative:
    return reduce(project, events, initial(I))


def waiting(*events: Any) -> dict[str, Addressed]:
    return {a.item.kind: a for a in items(fold(*events))}


def overdue(at: float, chair: str | None = "cara") -> ideation.ReviewOverdue:
    return ideation.ReviewOverdue(
        initiative_id=I,
        at=T(at),
        gate="G1",
        requested_at=T(2),
        due_at=T(16),
        working_days=10,
        sla_version="2026-1",
        escalated_to=chair,
    )


def test_a_requested_review_waits_on_the_committee_linking_to_the_queue() -> None:
    found = waiting(IDEA, review(2))["review"]
    assert found.roles == ("committee",) and found.accounts == ()
    assert (found.item.since, found.item.gate, found.item.overdue) == (T(2), "G1", False)
    assert found.item.link == f"/reviews#review-{I}"


def test_a_member_who_voted_is_done_with_the_review_but_the_others_are_not() -> None:
    found = waiting(IDEA, review(2), vote(3, "1", "hold"))["review"]
    assert found.done_by == ("v-1",)


def test_a_decided_review_leaves_the_inbox() -> None:
    assert "review" not in waiting(IDEA, review(2), vote(3, "1", "hold"), decided(3, "hold"))


def test_an_overdue_review_is_marked_and_escalated_to_the_chair_until_decided() -> None:
    found = waiting(IDEA, review(2), overdue(20))
    assert found["review"].item.overdue and found["review"].item.due_at == T(16)
    assert found["overdue"].accounts == ("cara",)
    assert found["overdue"].item.since == T(20)
    assert "overdue" not in waiting(IDEA, review(2), overdue(20), decided(21, "go"))


def test_without_a_chair_only_the_review_itself_is_marked() -> None:
    found = waiting(IDEA, review(2), overdue(20, chair=None))
    assert found["review"].item.overdue and "overdue" not in found


def test_open_conditions_wait_on_owner_team_accounts_and_committee_until_fulfilled() -> None:
    history = [IDEA, review(2), decided(3, "conditional_go", conditions=(COUNCIL,))]
    found = waiting(*history)["condition"]
    assert (found.accounts, found.roles) == (("ana", "bo"), ("committee",))
    assert found.item.text == "Fulfil the G1 condition: Works council consulted"
    assert found.item.since == T(3)
    assert found.item.by == ("v-1",)  # who set it is not notified of it
    done = ideation.ConditionFulfilled(
        initiative_id=I, at=T(4), condition_id="c1", fulfilled_by="ana"
    )
    assert "condition" not in waiting(*history, done)


def test_recycled_work_waits_on_the_owner_and_team_until_reviewed_again() -> None:
    history = [IDEA, review(2), decided(3, "recycle")]
    found = waiting(*history)["recycled"]
    assert found.accounts == ("ana", "bo")
    assert found.item.link == f"/initiatives/{I}#readiness-title"
    assert "recycled" not in waiting(*history, review(5))


def pilot_with(*events: Any) -> tuple[Any, ...]:
    opened = pilot.PilotOpened(
        initiative_id=I,
        at=T(5),
        handoff=handoff(owner_account="ana", team_members=TEAM),
    )
    return (IDEA, opened, *events)


def incident(at: float) -> pilot.IncidentReported:
    return pilot.IncidentReported(
        initiative_id=I, at=T(at), incident_id="x1", title="Wrong refusals", severity="high"
    )


def test_an_open_incident_waits_on_the_accountable_person_by_name() -> None:
    designed = pilot.OversightDesigned(
        initiative_id=I,
        at=T(6),
        override_by=("Ops lead",),
        decision_boundaries="b",
        escalation_path="e",
        accountable="Olivia",
    )
    found = waiting(*pilot_with(designed, incident(7)))["incident"]
    assert (found.names, found.accounts) == (("olivia",), ())
    assert found.item.text.startswith("Open high incident: Wrong refusals; acknowledge it by")


def test_without_an_oversight_design_an_incident_waits_on_owner_and_team() -> None:
    assert waiting(*pilot_with(incident(7)))["incident"].accounts == ("ana", "bo")


def test_a_mitigated_incident_leaves_the_inbox_and_a_reopened_one_returns() -> None:
    def change(at: float, status: pilot.IncidentStatus) -> pilot.IncidentStatusChanged:
        return pilot.IncidentStatusChanged(
            initiative_id=I, at=T(at), incident_id="x1", status=status
        )

    assert "incident" not in waiting(*pilot_with(incident(7), change(8, "mitigated")))
    again = waiting(*pilot_with(incident(7), change(8, "mitigated"), change(9, "open")))
    assert again["incident"].item.since == T(9)


def test_a_killed_initiative_has_nothing_waiting() -> None:
    history = [IDEA, review(2), decided(3, "conditional_go", conditions=(COUNCIL,))]
    assert waiting(*history, review(4, gate="G2"), decided(5, "kill", gate="G2")) == {}
