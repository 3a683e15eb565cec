"""MVP: documents, monitoring, release checklist, measurements, G4, and production after launch."""

from __future__ import annotations

import msgspec

from events import gates, mvp, production
from events.base import SYSTEM, Actor, Event
from events.errors import Forbidden, NotFound, Refused
from events.kpis import RecordMeasurement
from services.mvp import decider
from tests.unit.deciders import given
from tests.unit.histories import (
    AGENT,
    AT,
    CHAIR,
    CONTRIBUTOR,
    ID,
    MEMBER,
    VIEWER,
    decided,
    mvp_opened,
    ready_for_g4,
    review,
)

G4 = mvp.GATE


def launched() -> list[Event]:
    return [*ready_for_g4(), *review(G4), *decided(G4, "go")]


def document(document_id: str = "d-3", kind: mvp.DocumentKind = "model_card") -> mvp.RecordDocument:
    return mvp.RecordDocument(
        initiative_id=ID, at=AT, actor=CONTRIBUTOR, document_id=document_id, kind=kind,
        link="https://d/v2", author="Carl",
    )  # fmt: skip


def measure(value: float, measurement_id: str = "p-1", actor: Actor = AGENT) -> RecordMeasurement:
    return RecordMeasurement(
        initiative_id=ID, at=AT, actor=actor, kpi_id="k-1", measurement_id=measurement_id,
        value=value,
    )  # fmt: skip


def breach(value: float, measurement_id: str = "p-1") -> production.KpiBreached:
    return production.KpiBreached(
        initiative_id=ID, at=AT, kpi_id="k-1", measurement_id=measurement_id, value=value,
        target=10, direction="lower",
    )  # fmt: skip


def vote(actor: Actor, vote_id: str) -> gates.DecideGate:
    return gates.DecideGate(
        initiative_id=ID, at=AT, actor=actor, vote_id=vote_id, decision="go", rationale="Ready"
    )


def test_tollgate_opens_the_mvp_and_a_second_open_is_ignored() -> None:
    opened = mvp_opened()[0]
    assert isinstance(opened, mvp.MvpOpened)
    command = mvp.OpenMvp(initiative_id=ID, at=AT, actor=SYSTEM, handoff=opened.handoff)
    given(decider).when(command).then(opened)
    given(decider, [opened]).when(command).ignored()


def test_a_first_document_of_its_kind_is_version_1() -> None:
    given(decider, mvp_opened()).when(document()).then(
        mvp.DocumentRecorded(
            initiative_id=ID, at=AT, document_id="d-3", kind="model_card", version=1,
            link="https://d/v2", author="Carl",
        )
    )  # fmt: skip


def test_a_new_document_of_a_kind_supersedes_with_the_next_version() -> None:
    events = given(decider, ready_for_g4()).when(document()).decided()
    assert isinstance(events[0], mvp.DocumentRecorded)
    assert events[0].version == 2


def test_the_same_document_twice_is_ignored() -> None:
    given(decider, ready_for_g4()).when(document("d-1")).ignored()


def test_monitoring_is_configured_and_the_same_again_is_ignored() -> None:
    metric = mvp.MonitoredMetric(name="drift", threshold=0.2)
    command = mvp.ConfigureMonitoring(
        initiative_id=ID, at=AT, actor=CONTRIBUTOR, metrics=(metric,), owner="Olga"
    )
    configured = mvp.MonitoringConfigured(initiative_id=ID, at=AT, metrics=(metric,), owner="Olga")
    given(decider, mvp_opened()).when(command).then(configured)
    given(decider, ready_for_g4()).when(command).ignored()


def test_the_release_checklist_is_updated_and_the_same_again_is_ignored() -> None:
    items = (mvp.ChecklistItem(item="Pen test", done=True),)
    command = mvp.UpdateReleaseChecklist(initiative_id=ID, at=AT, actor=CONTRIBUTOR, items=items)
    updated = mvp.ReleaseChecklistUpdated(initiative_id=ID, at=AT, items=items)
    given(decider, mvp_opened()).when(command).then(updated)
    given(decider, mvp_opened(), [updated]).when(command).ignored()


def test_before_launch_a_measurement_is_an_mvp_measurement() -> None:
    given(decider, ready_for_g4()).when(measure(8)).then(
        mvp.KpiMeasured(initiative_id=ID, at=AT, kpi_id="k-1", measurement_id="p-1", value=8)
    )


def test_a_measurement_of_an_unknown_kpi_is_not_found() -> None:
    command = RecordMeasurement(
        initiative_id=ID, at=AT, actor=AGENT, kpi_id="k-9", measurement_id="p-1", value=1
    )
    given(decider, ready_for_g4()).when(command).refused(NotFound)


def test_g4_go_launches_the_initiative() -> None:
    history = [*ready_for_g4(), *review(G4)]
    first = given(decider, history).when(vote(CHAIR, "v-1")).decided()
    second = given(decider, history, first).when(vote(MEMBER, "v-2")).decided()
    assert given(decider, history, first, second).state.status == "launched"


def test_g4_is_refused_while_documentation_is_missing_for_a_high_risk_class() -> None:
    history = [*ready_for_g4(risk="high"), *review(G4)]
    error = given(decider, history).when(vote(CHAIR, "v-1")).refused()
    assert error.unmet == [
        "Documentation complete for the risk class",
        "EU AI Act obligations due before launch are met",
    ]


def test_after_launch_an_on_target_measurement_is_a_production_measurement() -> None:
    given(decider, launched()).when(measure(9)).then(
        production.KpiMeasured(initiative_id=ID, at=AT, kpi_id="k-1", measurement_id="p-1", value=9)
    )


def test_after_launch_an_off_target_measurement_raises_a_breach_and_a_re_review() -> None:
    events = given(decider, launched()).when(measure(14)).decided()
    assert events == [
        production.KpiMeasured(
            initiative_id=ID, at=AT, kpi_id="k-1", measurement_id="p-1", value=14
        ),
        breach(14),
        production.ReReviewRequested(
            initiative_id=ID, at=AT, kpi_id="k-1",
            reason="Triage time at 14 min misses its target 10",
        ),
    ]  # fmt: skip


def test_a_kpi_already_breached_raises_no_second_re_review() -> None:
    first = given(decider, launched()).when(measure(14)).decided()
    events = given(decider, launched(), first).when(measure(15, "p-2")).decided()
    assert [type(e) for e in events] == [production.KpiMeasured, production.KpiBreached]


def test_a_kpi_back_on_target_raises_a_re_review_on_its_next_breach() -> None:
    first = given(decider, launched()).when(measure(14)).decided()
    back = given(decider, launched(), first).when(measure(9, "p-2")).decided()
    again = given(decider, launched(), first, back).when(measure(14, "p-3")).decided()
    assert isinstance(again[-1], production.ReReviewRequested)


def test_the_same_production_measurement_twice_is_ignored() -> None:
    first = given(decider, launched()).when(measure(14)).decided()
    given(decider, launched(), first).when(measure(14)).ignored()


def test_a_viewer_may_not_send_production_measurements() -> None:
    given(decider, launched()).when(measure(9, actor=VIEWER)).refused(Forbidden)


def test_mvp_work_after_launch_is_refused_as_moved_on_to_production() -> None:
    given(decider, launched()).when(document()).refused(Refused, "moved on to production")


def test_the_events_decoder_reads_production_events() -> None:
    raw = msgspec.json.encode(breach(14))
    assert decider.EVENTS.decode(raw) == breach(14)


def re_review(
    decision: production.ReReviewOutcome, actor: Actor = CHAIR
) -> production.DecideReReview:
    return production.DecideReReview(
        initiative_id=ID, at=AT, actor=actor, decision=decision, rationale="Looked at it again"
    )


def breached() -> list[Event]:
    return [*launched(), *given(decider, launched()).when(measure(14)).decided()]


def test_the_committee_keeps_a_breached_initiative_running() -> None:
    given(decider, breached()).when(re_review("continue")).then(
        production.ReReviewDecided(initiative_id=ID, at=AT, decision="continue",
                                   rationale="Looked at it again", decided_by=CHAIR.id)
    )  # fmt: skip
    state = given(decider, breached(), given(decider, breached()).when(
        re_review("continue")).decided()).state  # fmt: skip
    assert (state.status, state.re_review) == ("launched", None)


def test_a_retired_initiative_is_terminal() -> None:
    retired = given(decider, breached()).when(re_review("retire")).decided()
    assert given(decider, breached(), retired).state.status == "killed"
    given(decider, breached(), retired).when(measure(9, "p-9")).refused(Refused, "killed")


def test_a_re_review_needs_an_open_request() -> None:
    given(decider, launched()).when(re_review("continue")).refused(Refused, "no re-review")


def test_agents_and_non_members_never_decide_a_re_review() -> None:
    given(decider, breached()).when(re_review("retire", AGENT)).refused(Forbidden)
    given(decider, breached()).when(re_review("retire", CONTRIBUTOR)).refused(Forbidden)
