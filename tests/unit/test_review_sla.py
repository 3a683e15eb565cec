"""Review service levels: the working-day arithmetic (events.sla) and the gate rule that
raises review_overdue when the scheduler's clock says a review waited too long."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from events import gates, ideation, pilot, sla
from events.base import SYSTEM, Actor
from events.errors import Forbidden, Refused
from services.ideation import decider as ideation_decider
from services.pilot import decider as pilot_decider
from tests.unit.deciders import given
from tests.unit.histories import ADMIN, AT, ID, decided, proposed, ready_for_g3, review


def utc(y: int, m: int, d: int, h: int = 0, mi: int = 0) -> datetime:
    return datetime(y, m, d, h, mi, tzinfo=UTC)


MONDAY = utc(2026, 3, 2, 9, 30)  # 2026-03-02 is a Monday


# working days


def test_ten_working_days_from_a_monday_are_two_weeks_later_at_the_same_time() -> None:
    assert sla.add_working_days(MONDAY, 10) == utc(2026, 3, 16, 9, 30)


def test_a_friday_plus_one_working_day_is_the_monday_after() -> None:
    assert sla.add_working_days(utc(2026, 3, 6, 17), 1) == utc(2026, 3, 9, 17)


def test_a_weekend_start_counts_from_monday_morning() -> None:
    saturday = utc(2026, 3, 7, 15)
    assert sla.add_working_days(saturday, 1) == utc(2026, 3, 10)
    assert sla.add_working_days(saturday, 0) == utc(2026, 3, 9)


def test_holidays_are_skipped_like_weekends() -> None:
    holiday = frozenset({date(2026, 3, 3)})
    assert sla.add_working_days(MONDAY, 1, holiday) == utc(2026, 3, 4, 9, 30)


def test_another_time_zone_is_counted_in_utc() -> None:
    berlin_monday_morning = datetime(2026, 3, 2, 0, 30, tzinfo=UTC) + timedelta(hours=1)
    assert sla.add_working_days(berlin_monday_morning, 5) == utc(2026, 3, 9, 1, 30)


def test_working_days_between_counts_whole_days_only() -> None:
    assert sla.working_days_between(MONDAY, utc(2026, 3, 16, 9, 29)) == 9
    assert sla.working_days_between(MONDAY, utc(2026, 3, 16, 9, 30)) == 10
    assert sla.working_days_between(MONDAY, utc(2026, 3, 1)) == 0


def test_every_gate_waits_ten_working_days_by_default() -> None:
    assert sla.levels().working_days == {"G1": 10, "G2": 10, "G3": 10, "G4": 10}
    assert not sla.is_overdue("G2", MONDAY, utc(2026, 3, 16, 9, 29))
    assert sla.is_overdue("G2", MONDAY, utc(2026, 3, 16, 9, 30))


# the gate rule (AT, when the histories' reviews are requested, is a Saturday)

DUE = utc(2025, 3, 17)


def flag(
    now: datetime, actor: Actor = SYSTEM, chair: str | None = "cara"
) -> gates.FlagOverdueReview:
    return gates.FlagOverdueReview(initiative_id=ID, at=now, actor=actor, chair=chair)


def overdue(
    kit: gates.GateEvents, now: datetime, chair: str | None = "cara"
) -> gates.ReviewOverdue:
    return kit.review_overdue(
        initiative_id=ID,
        at=now,
        gate=kit.gate,
        requested_at=AT,
        due_at=DUE,
        working_days=10,
        sla_version=sla.CURRENT_VERSION,
        escalated_to=chair,
    )


def test_a_review_past_its_service_level_is_flagged_and_escalated_to_the_chair() -> None:
    history = [*proposed(), *review(ideation.GATE)]
    given(ideation_decider, history).when(flag(DUE)).then(overdue(ideation.GATE, DUE))


def test_without_a_chair_the_review_is_flagged_all_the_same() -> None:
    history = [*ready_for_g3(), *review(pilot.GATE)]
    now = DUE + timedelta(days=3)
    given(pilot_decider, history).when(flag(now, chair=None)).then(
        overdue(pilot.GATE, now, chair=None)
    )


def test_a_review_within_its_service_level_is_refused_naming_the_due_time() -> None:
    history = [*proposed(), *review(ideation.GATE)]
    when = given(ideation_decider, history).when(flag(DUE - timedelta(seconds=1)))
    when.refused(Refused, match="due by 2025-03-17")


def test_a_review_flagged_before_is_not_flagged_again() -> None:
    history = [*proposed(), *review(ideation.GATE), overdue(ideation.GATE, DUE)]
    given(ideation_decider, history).when(flag(DUE + timedelta(days=1))).ignored()


def test_a_decided_review_is_never_flagged() -> None:
    history = [*proposed(), *review(ideation.GATE), *decided(ideation.GATE, "hold")]
    given(ideation_decider, history).when(flag(DUE)).ignored()


def test_a_new_review_after_a_recycle_gets_its_own_escalation() -> None:
    again = ideation.GATE.review_requested(
        initiative_id=ID, at=DUE, gate="G1", requested_by="olga", criteria_version="x"
    )
    history = [
        *proposed(),
        *review(ideation.GATE),
        overdue(ideation.GATE, DUE),
        *decided(ideation.GATE, "recycle"),
        again,
    ]
    when = given(ideation_decider, history)
    when.when(flag(DUE + timedelta(days=1))).refused(Refused, match="due by 2025-03-31")


def test_people_cannot_flag_a_review_not_even_admins() -> None:
    history = [*proposed(), *review(ideation.GATE)]
    given(ideation_decider, history).when(flag(DUE, actor=ADMIN)).refused(Forbidden)
