"""PoC: opening, hypotheses and results, data sources, model choice, risk class, G2."""

from __future__ import annotations

from events import gates, poc
from events.base import SYSTEM
from events.errors import Forbidden, NotFound, Refused
from services.poc import decider
from tests.unit.deciders import given
from tests.unit.histories import (
    AT,
    CHAIR,
    CONDITION,
    CONTRIBUTOR,
    ID,
    OWNER,
    decided,
    handoff,
    poc_opened,
    ready_for_g2,
    review,
)

G2 = poc.GATE


def hypothesis(hypothesis_id: str = "h-2") -> poc.AddHypothesis:
    return poc.AddHypothesis(
        initiative_id=ID, at=AT, actor=CONTRIBUTOR, hypothesis_id=hypothesis_id,
        statement="Fewer escalations", metric="escalation rate", comparator="<", threshold=0.05,
    )  # fmt: skip


def result(
    value: float, hypothesis_id: str = "h-1", link: str = "https://wiki/h1b"
) -> poc.RecordResult:
    return poc.RecordResult(
        initiative_id=ID, at=AT, actor=CONTRIBUTOR, hypothesis_id=hypothesis_id, value=value,
        evidence_link=link,
    )  # fmt: skip


def go() -> gates.DecideGate:
    return gates.DecideGate(
        initiative_id=ID, at=AT, actor=CHAIR, vote_id="v-1", decision="go", rationale="Yes"
    )


def test_tollgate_opens_the_poc_with_the_handoff() -> None:
    command = poc.OpenPoc(initiative_id=ID, at=AT, actor=SYSTEM, handoff=handoff())
    given(decider).when(command).then(*poc_opened())


def test_opening_an_open_poc_again_is_ignored() -> None:
    command = poc.OpenPoc(initiative_id=ID, at=AT, actor=SYSTEM, handoff=handoff())
    given(decider, poc_opened()).when(command).ignored()


def test_only_tollgate_itself_opens_a_poc() -> None:
    command = poc.OpenPoc(initiative_id=ID, at=AT, actor=OWNER, handoff=handoff())
    given(decider).when(command).refused(Forbidden)


def test_work_on_a_poc_that_was_never_opened_is_not_found() -> None:
    given(decider).when(hypothesis()).refused(NotFound, "poc of this initiative is not open yet")


def test_a_hypothesis_is_added_with_its_success_criterion() -> None:
    given(decider, poc_opened()).when(hypothesis()).then(
        poc.HypothesisAdded(
            initiative_id=ID, at=AT, hypothesis_id="h-2", statement="Fewer escalations",
            metric="escalation rate", comparator="<", threshold=0.05,
        )
    )  # fmt: skip


def test_the_same_hypothesis_twice_is_ignored() -> None:
    given(decider, ready_for_g2()).when(hypothesis("h-1")).ignored()


def test_a_result_meeting_the_criterion_validates_the_hypothesis() -> None:
    given(decider, ready_for_g2()).when(result(0.95)).then(
        poc.ExperimentResultRecorded(
            initiative_id=ID, at=AT, hypothesis_id="h-1", value=0.95,
            evidence_link="https://wiki/h1b", validated=True,
        )
    )  # fmt: skip


def test_a_result_missing_the_criterion_does_not_validate_it() -> None:
    events = given(decider, ready_for_g2()).when(result(0.5)).decided()
    assert isinstance(events[0], poc.ExperimentResultRecorded)
    assert events[0].validated is False


def test_the_same_result_again_is_ignored() -> None:
    given(decider, ready_for_g2()).when(result(0.93, link="https://wiki/h1")).ignored()


def test_a_result_for_an_unknown_hypothesis_is_not_found() -> None:
    given(decider, ready_for_g2()).when(result(1, hypothesis_id="h-9")).refused(NotFound)


def test_a_data_source_is_confirmed_once() -> None:
    command = poc.ConfirmDataSource(
        initiative_id=ID, at=AT, actor=CONTRIBUTOR, source_id="crm", name="CRM"
    )
    given(decider, ready_for_g2()).when(command).then(
        poc.DataSourceConfirmed(initiative_id=ID, at=AT, source_id="crm", name="CRM")
    )
    given(decider, ready_for_g2()).when(
        poc.ConfirmDataSource(
            initiative_id=ID, at=AT, actor=CONTRIBUTOR, source_id="erp", name="ERP"
        )
    ).ignored()


def test_a_model_is_chosen_and_the_same_choice_again_is_ignored() -> None:
    command = poc.ChooseModel(
        initiative_id=ID, at=AT, actor=CONTRIBUTOR, choice="GBM", rationale="Tabular"
    )
    chosen = poc.ModelChosen(initiative_id=ID, at=AT, choice="GBM", rationale="Tabular")
    given(decider, poc_opened()).when(command).then(chosen)
    given(decider, poc_opened(), [chosen]).when(command).ignored()


def test_the_risk_class_is_confirmed_and_the_same_again_is_ignored() -> None:
    command = poc.ConfirmRiskClass(
        initiative_id=ID, at=AT, actor=CONTRIBUTOR, risk_class="limited", rationale="Checked"
    )
    given(decider, poc_opened()).when(command).then(
        poc.RiskClassConfirmed(initiative_id=ID, at=AT, risk_class="limited", rationale="Checked")
    )
    given(decider, ready_for_g2()).when(command).ignored()


def test_a_viewer_may_not_record_poc_work() -> None:
    from tests.unit.histories import VIEWER

    command = poc.ChooseModel(initiative_id=ID, at=AT, actor=VIEWER, choice="GBM", rationale="x")
    given(decider, poc_opened()).when(command).refused(Forbidden)


def test_g2_passes_when_every_must_meet_criterion_is_met() -> None:
    events = given(decider, ready_for_g2(), review(G2)).when(go()).decided()
    assert isinstance(events[-1], poc.GateDecided)
    assert events[-1].decision == "go"


def test_g2_is_refused_while_a_condition_from_g1_is_open() -> None:
    error = given(decider, ready_for_g2(CONDITION), review(G2)).when(go()).refused()
    assert error.unmet == ["Conditions from an earlier conditional_go fulfilled"]


def test_g2_passes_once_the_condition_from_g1_is_fulfilled() -> None:
    done = G2.condition_fulfilled(initiative_id=ID, at=AT, condition_id="c-1", fulfilled_by="olga")
    events = given(decider, ready_for_g2(CONDITION), [done], review(G2)).when(go()).decided()
    assert isinstance(events[-1], poc.GateDecided)


def test_poc_work_after_g2_is_refused_as_moved_on_to_the_pilot() -> None:
    history = [*ready_for_g2(), *review(G2), *decided(G2, "go")]
    given(decider, history).when(hypothesis()).refused(Refused, "moved on to pilot")
