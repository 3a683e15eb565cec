"""The dossier view: given the initiative's events / when one more arrives / then its record."""

from __future__ import annotations

from functools import reduce
from typing import Any

import msgspec

from events import ideation, mvp, pilot, poc
from services.projection.store import ENCODER, ROW
from services.projection.views import dossier
from services.projection.views.dossier_records import Dossier
from services.projection.views.initiative import initial, project
from tests.unit.projection.given import I, T, ideation_work, proposed


def fold(events: list[Any]) -> Dossier:
    return reduce(dossier.project, events, Dossier())


def hypothesis(hid: str = "h1") -> poc.HypothesisAdded:
    return poc.HypothesisAdded(
        initiative_id=I,
        at=T(5),
        hypothesis_id=hid,
        statement="Faster",
        metric="minutes",
        comparator="<=",
        threshold=5,
    )


def result(value: float, at: float, hid: str = "h1") -> poc.ExperimentResultRecorded:
    return poc.ExperimentResultRecorded(
        initiative_id=I,
        at=T(at),
        hypothesis_id=hid,
        value=value,
        evidence_link=f"https://wiki/{at}",
        validated=value <= 5,
    )


def document(version: int, at: float, author: str) -> mvp.DocumentRecorded:
    return mvp.DocumentRecorded(
        initiative_id=I,
        at=T(at),
        document_id=f"d{version}",
        kind="runbook",
        version=version,
        link=f"https://wiki/runbook/{version}",
        author=author,
    )


def test_a_proposed_idea_records_its_problem_and_goal():
    d = fold([proposed()])
    assert (d.problem_statement, d.business_goal) == ("Slow invoices", "Pay on time")


def test_a_refinement_changes_only_what_it_names():
    refined = ideation.IdeaRefined(initiative_id=I, at=T(1), business_goal="Pay in 10 days")
    d = fold([proposed(), refined])
    assert (d.problem_statement, d.business_goal) == ("Slow invoices", "Pay in 10 days")


def test_ideation_work_records_workshop_score_sourcing_and_risk_with_rationale():
    d = fold([proposed(), *ideation_work(at=1)])
    assert [w.outcome for w in d.workshops] == ["good"]
    assert d.score is not None and (d.score.value, d.score.priority) == (4, 4.0)
    assert d.sourcing is not None and (d.sourcing.choice, d.sourcing.rationale) == ("build", "core")
    assert d.risk_preclass is not None and d.risk_preclass.rationale == "r"
    assert d.risk_confirmed is None


def test_every_result_of_a_hypothesis_is_kept_and_the_last_one_counts():
    d = fold([hypothesis(), result(7, 6), result(4.5, 8)])
    (h,) = d.hypotheses
    assert [r.value for r in h.results] == [7, 4.5]
    assert h.results[-1].validated


def test_a_result_for_an_unknown_hypothesis_changes_nothing():
    assert fold([hypothesis(), result(4, 6, hid="other")]).hypotheses[0].results == ()


def test_incident_status_changes_are_kept_with_the_current_status():
    reported = pilot.IncidentReported(
        initiative_id=I, at=T(10), incident_id="i1", title="Wrong cost centre", severity="high"
    )
    changes = [
        pilot.IncidentStatusChanged(initiative_id=I, at=T(11 + n), incident_id="i1", status=s)
        for n, s in enumerate(("mitigated", "resolved"))
    ]  # type: ignore[arg-type]
    (i,) = fold([reported, *changes]).incidents
    assert i.status == "resolved"
    assert [c.status for c in i.changes] == ["mitigated", "resolved"]


def test_the_document_register_keeps_every_version_with_link_and_author():
    d = fold([document(1, 30, "kpi-bot"), document(2, 31, "olivia")])
    versions = d.documents["runbook"]
    assert [(v.version, v.author) for v in versions] == [(1, "kpi-bot"), (2, "olivia")]
    assert versions[-1].link == "https://wiki/runbook/2"


def test_a_later_checklist_replaces_the_earlier_one():
    items = (mvp.ChecklistItem(item="Go-live plan", done=True),)
    first = mvp.ReleaseChecklistUpdated(
        initiative_id=I, at=T(30), items=(mvp.ChecklistItem(item="Go-live plan"),)
    )
    second = mvp.ReleaseChecklistUpdated(initiative_id=I, at=T(31), items=items)
    d = fold([first, second])
    assert d.checklist is not None and d.checklist.items == items


def test_the_row_folds_the_dossier_with_every_other_view():
    row = reduce(project, [proposed(), hypothesis()], initial(I))
    assert row.dossier.hypotheses[0].statement == "Faster"


def test_a_row_stored_before_the_dossier_existed_still_decodes():
    old = msgspec.json.decode(ENCODER.encode(reduce(project, [proposed()], initial(I))))
    del old["dossier"]
    row = ROW.decode(msgspec.json.encode(old))
    assert row.dossier == Dossier()
    assert row.summary.title == "Invoice triage"
