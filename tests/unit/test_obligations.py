"""EU AI Act obligations (pure): they follow the risk class and the role, the law's versions
keep their dates, and the Art. 73 clock counts 15, 10 or 2 days from awareness."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from msgspec.structs import replace

from events import ai_act, poc
from events.compliance import Compliance, SeriousIncident, SeriousKind
from events.criteria import evaluate
from events.facts import apply
from events.obligations import due_before_launch, duties, overdue, report_due, role_of
from events.records import Facts

AWARE = datetime(2026, 11, 2, 8, 30, tzinfo=UTC)


def ids(facts: Facts) -> set[str]:
    return {d.id for d in duties(facts)}


def facts(risk: str | None, role: str | None = None, **more: object) -> Facts:
    return Facts(risk_class=risk, compliance=Compliance(role=role), **more)  # type: ignore[arg-type]


def serious(kind: SeriousKind, incident_id: str = "i-1") -> Facts:
    incident = SeriousIncident(incident_id=incident_id, title="Wrong shortlist", kind=kind,
                               aware_at=AWARE)  # fmt: skip
    return Facts(risk_class="high", compliance=Compliance(role="provider", serious=(incident,)))


def test_a_high_risk_provider_has_the_providers_duties_and_not_the_deployers() -> None:
    got = ids(facts("high", "provider"))
    assert {"risk_mgmt", "data_gov", "tech_doc", "logging", "info_to_deployers",
            "human_oversight", "accuracy_robust_cyber", "qms", "pmm", "serious_incident",
            "conformity", "register", "ai_literacy"} <= got  # fmt: skip
    assert not {"fria", "deployer_use", "inform_workers"} & got


def test_a_high_risk_deployer_has_the_deployers_duties_with_the_fria() -> None:
    got = ids(facts("high", "deployer"))
    assert {"deployer_use", "deployer_monitor", "fria", "inform_workers", "human_oversight"} <= got
    assert not {"tech_doc", "qms", "conformity"} & got


@pytest.mark.parametrize(
    ("risk", "role", "expected"),
    [
        ("limited", "provider", {"ai_literacy", "tr_interact", "tr_marking"}),
        ("limited", "deployer", {"ai_literacy", "tr_emotion", "tr_deepfake"}),
        ("minimal", "provider", {"ai_literacy", "minimal"}),
        ("prohibited", "deployer", {"ai_literacy", "prohibited_check", "prohibited_new"}),
        (None, "provider", {"ai_literacy"}),
    ],
)
def test_the_other_classes_get_transparency_literacy_or_the_ban(
    risk: str | None, role: str, expected: set[str]
) -> None:
    assert ids(facts(risk, role)) == expected


def test_a_change_of_risk_class_changes_the_obligations() -> None:
    before = facts("limited", "provider")
    confirmed = poc.RiskClassConfirmed(initiative_id="i", at=AWARE, risk_class="high",
                                       rationale="Annex III 4: employment")  # fmt: skip
    after = apply(before, confirmed)
    assert "tech_doc" not in ids(before)
    assert "tech_doc" in ids(after) and "tr_interact" not in ids(after)


def test_without_a_recorded_role_the_sourcing_decides_it() -> None:
    assert role_of(Facts(sourcing="build"))[0] == "provider"
    assert role_of(Facts(sourcing="buy"))[0] == "deployer"
    assert role_of(Facts())[0] == "provider"
    recorded = replace(
        Facts(sourcing="buy"), compliance=Compliance(role="provider", role_reason="r")
    )
    assert role_of(recorded) == ("provider", "r")


@pytest.mark.parametrize(
    ("kind", "days", "article"),
    [
        ("health", 15, "73(2)"),
        ("fundamental_rights", 15, "73(2)"),
        ("property_environment", 15, "73(2)"),
        ("death", 10, "73(4)"),
        ("critical_infrastructure", 2, "73(3)"),
        ("widespread", 2, "73(3)"),
    ],
)
def test_the_art_73_report_is_due_15_10_or_2_days_after_awareness(
    kind: SeriousKind, days: int, article: str
) -> None:
    report = next(d for d in duties(serious(kind)) if d.incident_id == "i-1")
    assert report.deadline == AWARE + timedelta(days=days) == report_due(kind, AWARE)
    assert report.article == article
    assert report.deadline_inferred  # calendar days: an inference, flagged


def test_the_report_shows_the_recorded_art_73_facts_awareness_and_causal_link() -> None:
    linked = AWARE + timedelta(hours=5)
    f = serious("death")
    f = replace(f, compliance=replace(f.compliance, serious=(
        replace(f.compliance.serious[0], causal_link_at=linked),)))  # fmt: skip
    report = next(d for d in duties(f) if d.incident_id == "i-1")
    assert (report.serious, report.aware_at, report.causal_link_at) == ("death", AWARE, linked)
    unlinked = next(d for d in duties(serious("health")) if d.incident_id == "i-1")
    assert unlinked.causal_link_at is None and unlinked.aware_at == AWARE


def test_a_report_is_overdue_once_its_deadline_passed_unless_it_was_met() -> None:
    report = next(d for d in duties(serious("death")) if d.incident_id)
    assert not overdue(report, AWARE + timedelta(days=9, hours=23))
    assert overdue(report, AWARE + timedelta(days=10, minutes=1))
    assert not overdue(replace(report, status="met"), AWARE + timedelta(days=30))


def test_a_launched_system_is_past_its_before_launch_duties() -> None:
    tech_doc = next(d for d in duties(facts("high", "provider")) if d.id == "tech_doc")
    assert not overdue(tech_doc, AWARE)
    assert overdue(tech_doc, AWARE, launched=True)


def test_a_serious_incident_of_a_limited_risk_system_adds_no_art_73_report() -> None:
    limited = replace(serious("health"), risk_class="limited")
    assert not any(d.incident_id for d in duties(limited))


def test_the_omnibus_moved_the_high_risk_dates_in_a_new_version() -> None:
    old, new = ai_act.VERSIONS["2024.1"], ai_act.VERSIONS["2026.1"]
    assert old.get("tech_doc").applies_from == date(2026, 8, 2)  # type: ignore[union-attr]
    assert new.get("tech_doc").applies_from == date(2027, 12, 2)  # type: ignore[union-attr]
    assert old.get("prohibited_new") is None and new.get("prohibited_new") is not None
    assert ai_act.version_on(date(2026, 7, 26)).id == "2024.1"
    assert ai_act.version_on(date(2026, 7, 27)).id == ai_act.CURRENT_VERSION == "2026.1"


def test_the_data_keeps_the_confirmation_flags_of_ai_act_md() -> None:
    v = ai_act.VERSIONS["2026.1"]
    assert v.get("serious_incident").confirmed == "unconfirmed"  # type: ignore[union-attr]
    assert v.get("explanation").confirmed == "secondary"  # type: ignore[union-attr]
    assert v.get("fria").confirmed == "confirmed"  # type: ignore[union-attr]


def test_g4_names_each_obligation_due_before_launch_that_is_not_met() -> None:
    g4 = evaluate("G4", serious("widespread"))
    c = next(c for c in g4.criteria if c.id == "g4.obligations")
    assert not c.met
    assert "Technical documentation, kept current (Art. 11 + Annex IV)" in c.explanation
    assert "Wrong shortlist" in c.explanation and "(Art. 73(3)), due 2026-11-04" in c.explanation


def test_g4_is_met_once_every_obligation_due_before_launch_is_met() -> None:
    f = serious("health")
    from events.compliance import ObligationStatus

    met = tuple(
        ObligationStatus(obligation_id=d.id, status="met", evidence="Filed", recorded_by="carl",
                         at=AWARE)
        for d in due_before_launch(f)
    )  # fmt: skip
    done = replace(f, compliance=replace(f.compliance, statuses=met))
    c = next(c for c in evaluate("G4", done).criteria if c.id == "g4.obligations")
    assert c.met and c.explanation == f"All {len(met)} obligations due before launch are met"
    assert evaluate("G4", done, "2025.2").version == "2025.2"  # old decisions: no such criterion
    assert all(c.id != "g4.obligations" for c in evaluate("G4", done, "2025.2").criteria)


def test_the_timeline_names_the_incident_whose_report_changed_status() -> None:
    from web.narrative import Names
    from web.narrative_compliance import COMPLIANCE_SAY

    data = {"obligation_id": "serious_incident.i-1", "status": "met", "evidence": "Filed"}
    title, _ = COMPLIANCE_SAY["obligation_status_recorded"](
        data, Names(incidents={"i-1": "Outage"})
    )
    assert title == "Obligation met: the Art. 73 report of the serious incident \u201cOutage\u201d"
    unknown, _ = COMPLIANCE_SAY["obligation_status_recorded"](data, Names())
    assert unknown == "Obligation met: the Art. 73 report of a serious incident"
