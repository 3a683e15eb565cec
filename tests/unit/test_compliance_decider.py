"""Recording the company's role and an obligation's status in every stage, serious incidents
in the pilot, and the handoff that carries them to the MVP's G4."""

from __future__ import annotations

from datetime import timedelta

from events import gates, mvp, pilot
from events.base import Actor
from events.compliance import RecordAiRole, RecordObligationStatus
from events.errors import Forbidden, Invalid, NotFound, Refused
from events.facts import handoff as handoff_of
from events.obligations import duties
from services.mvp import decider as mvp_decider
from services.pilot import decider
from tests.unit.deciders import given
from tests.unit.histories import (
    AT,
    CHAIR,
    CONTRIBUTOR,
    ID,
    MEMBER,
    OTHER_OWNER,
    OWNER,
    VIEWER,
    decided,
    handoff,
    pilot_opened,
    ready_for_g4,
    review,
)


def vote_of(actor: Actor, vote_id: str) -> gates.DecideGate:
    return gates.DecideGate(
        initiative_id=ID, at=AT, actor=actor, vote_id=vote_id, decision="go", rationale="Ready"
    )


HIGH = [pilot.PilotOpened(initiative_id=ID, at=AT, handoff=handoff(risk="high"))]


def role(r: str = "deployer", switch: str | None = None, actor=CONTRIBUTOR) -> RecordAiRole:  # type: ignore[no-untyped-def]
    return RecordAiRole(initiative_id=ID, at=AT, actor=actor, role=r, reason="Bought from a vendor",
                        switch=switch)  # type: ignore[arg-type]  # fmt: skip


def status(oid: str, s: str = "met", evidence: str = "https://wiki/fria", actor=CONTRIBUTOR):  # type: ignore[no-untyped-def]
    return RecordObligationStatus(initiative_id=ID, at=AT, actor=actor, obligation_id=oid,
                                  status=s, evidence=evidence)  # type: ignore[arg-type]  # fmt: skip


def role_recorded(r: str = "deployer") -> pilot.AiRoleRecorded:
    return pilot.AiRoleRecorded(initiative_id=ID, at=AT, role=r, reason="Bought from a vendor",  # type: ignore[arg-type]
                                recorded_by=CONTRIBUTOR.id)  # fmt: skip


def test_a_role_is_recorded_and_the_same_again_is_a_no_op() -> None:
    given(decider, HIGH).when(role()).then(role_recorded())
    given(decider, HIGH, [role_recorded()]).when(role()).ignored()


def test_a_change_of_role_switches_the_duties() -> None:
    provider = given(decider, HIGH).state.facts
    deployer = given(decider, HIGH, [role_recorded()]).state.facts
    assert "tech_doc" in {d.id for d in duties(provider)}
    assert {"fria", "deployer_use"} <= {d.id for d in duties(deployer)}
    assert "tech_doc" not in {d.id for d in duties(deployer)}


def test_an_art_25_switch_makes_the_company_the_provider_never_a_deployer() -> None:
    given(decider, HIGH).when(role("deployer", "own_name")).refused(Invalid, "provider")
    events = given(decider, HIGH).when(role("provider", "substantial_modification")).decided()
    assert events[0].switch == "substantial_modification"  # type: ignore[attr-defined]


def test_a_role_needs_a_reason_that_is_not_blank() -> None:
    blank = RecordAiRole(initiative_id=ID, at=AT, actor=CONTRIBUTOR, role="deployer",
                         reason="  \n ")  # fmt: skip
    given(decider, HIGH).when(blank).refused(Invalid, "reason")


def test_only_workers_on_the_initiative_record_the_role() -> None:
    given(decider, HIGH).when(role(actor=VIEWER)).refused(Forbidden)
    given(decider, HIGH).when(role(actor=OTHER_OWNER)).refused(Forbidden, "owned by")
    given(decider, HIGH).when(role(actor=OWNER)).then(
        pilot.AiRoleRecorded(
            initiative_id=ID,
            at=AT,
            role="deployer",
            reason="Bought from a vendor",
            recorded_by=OWNER.id,
        )
    )


def test_an_obligation_status_is_recorded_with_its_evidence() -> None:
    given(decider, HIGH).when(status("tech_doc")).then(
        pilot.ObligationStatusRecorded(
            initiative_id=ID,
            at=AT,
            obligation_id="tech_doc",
            status="met",
            evidence="https://wiki/fria",
            recorded_by=CONTRIBUTOR.id,
        )
    )


def test_met_needs_evidence_and_in_progress_does_not() -> None:
    given(decider, HIGH).when(status("tech_doc", "met", " ")).refused(Invalid, "evidence")
    given(decider, HIGH).when(status("tech_doc", "in_progress", "")).decided()


def test_an_obligation_the_initiative_does_not_have_is_not_found_naming_its_obligations() -> None:
    error = given(decider, HIGH).when(status("fria")).refused(NotFound)  # a provider has no FRIA
    assert "tech_doc" in error.detail and "fria is not one" in error.detail
    given(decider, HIGH).when(status("no_such_duty")).refused(NotFound)


def test_the_same_status_again_is_a_no_op() -> None:
    first = given(decider, HIGH).when(status("tech_doc")).decided()
    given(decider, HIGH, first).when(status("tech_doc")).ignored()


def test_a_killed_initiative_records_nothing() -> None:
    killed = [*HIGH, *review(pilot.GATE), *decided(pilot.GATE, "kill")]
    given(decider, killed).when(status("tech_doc")).refused(Refused, "killed")


def test_a_serious_incident_records_awareness_and_adds_its_report() -> None:
    report = pilot.ReportIncident(
        initiative_id=ID, at=AT, actor=CONTRIBUTOR, incident_id="i-9", title="Wrong shortlist",
        severity="critical", serious="death", aware_at=AT - timedelta(days=1),
    )  # fmt: skip
    [reported] = given(decider, HIGH).when(report).decided()
    assert reported.serious == "death" and reported.aware_at == AT - timedelta(days=1)  # type: ignore[attr-defined]
    facts = given(decider, HIGH, [reported]).state.facts
    duty = next(d for d in duties(facts) if d.id == "serious_incident.i-9")
    assert duty.deadline == AT + timedelta(days=9)


def test_an_ordinary_incident_adds_no_report() -> None:
    events = (
        given(decider, pilot_opened())
        .when(
            pilot.ReportIncident(
                initiative_id=ID,
                at=AT,
                actor=CONTRIBUTOR,
                incident_id="i-1",
                title="Slow",
                severity="low",
            )
        )
        .decided()
    )
    assert not given(decider, pilot_opened(), events).state.facts.compliance.serious


def test_the_handoff_carries_role_statuses_and_serious_incidents_to_the_mvp() -> None:
    serious = pilot.IncidentReported(initiative_id=ID, at=AT, incident_id="i-9", title="Leak",
                                     severity="high", serious="fundamental_rights")  # fmt: skip
    state = given(decider, HIGH, [role_recorded(), serious]).state
    opened = mvp.MvpOpened(initiative_id=ID, at=AT, handoff=handoff_of(state.facts))
    mvp_facts = given(mvp_decider, [opened]).state.facts
    assert mvp_facts.compliance.role == "deployer"
    assert {"serious_incident.i-9", "fria"} <= {d.id for d in duties(mvp_facts)}


def test_g4_is_refused_until_the_obligations_due_before_launch_are_met() -> None:
    history = [*ready_for_g4(risk="high"), *review(mvp.GATE)]
    docs = [
        mvp.DocumentRecorded(
            initiative_id=ID,
            at=AT,
            document_id=k,
            kind=k,
            version=1,  # type: ignore[arg-type]
            link="https://d",
            author="Carl",
        )
        for k in ("decision_logic", "data_sheet", "dpia")
    ]
    error = given(mvp_decider, history, docs).when(vote_of(CHAIR, "v-1")).refused()
    assert error.unmet == ["EU AI Act obligations due before launch are met"]
    state = given(mvp_decider, history, docs).state
    met = [
        mvp.ObligationStatusRecorded(
            initiative_id=ID,
            at=AT,
            obligation_id=d.id,
            status="met",
            evidence="Signed off",
            recorded_by="carl",
        )
        for d in duties(state.facts)
        if d.before_launch
    ]
    first = given(mvp_decider, history, docs, met).when(vote_of(CHAIR, "v-1")).decided()
    second = given(mvp_decider, history, docs, met, first).when(vote_of(MEMBER, "v-2")).decided()
    assert isinstance(second[-1], mvp.GateDecided) and second[-1].decision == "go"


def incident(**art73: object) -> pilot.ReportIncident:
    return pilot.ReportIncident(initiative_id=ID, at=AT, actor=CONTRIBUTOR, incident_id="i-3",
                                title="Leak", severity="high", **art73)  # type: ignore[arg-type]  # fmt: skip


def test_the_art_73_facts_of_a_report_must_make_sense_in_time() -> None:
    day = timedelta(days=1)
    given(decider, HIGH).when(incident(serious="health", aware_at=AT + day)).refused(
        Invalid, "aware after now"
    )
    given(decider, HIGH).when(
        incident(serious="health", aware_at=AT - day, causal_link_at=AT - 2 * day)
    ).refused(Invalid, "causal link")
    given(decider, HIGH).when(incident(aware_at=AT - day)).refused(Invalid, "serious incident only")
    ok = incident(serious="death", aware_at=AT - 2 * day, causal_link_at=AT - day)
    assert given(decider, HIGH).when(ok).decided()
