"""The timeline in words: every kind of event has its own sentence, ids become names, and a
shape this build does not know falls back to its plainest fields."""

from __future__ import annotations

from datetime import UTC, datetime

import msgspec

from events.base import type_parts
from events.catalog import EVENT_TYPES
from web.narrative import SAY, Names, label
from web.narrative_gates import GATE_SAY, say
from web.timeline import Entry, Filters, entries

AT = datetime(2026, 3, 1, tzinfo=UTC)
NAMES = Names(
    kpis={"k1": ("Energy use", "MWh/month")},
    hypotheses={"h1": "Setback saves"},
    incidents={"i1": "Overshoot"},
    conditions={"c1": "Works council informed"},
)


def test_every_kind_of_event_has_its_own_words():
    kinds = {type_parts(t)[1] for t in EVENT_TYPES}
    assert kinds <= set(SAY) | set(GATE_SAY), kinds - set(SAY) - set(GATE_SAY)


def test_a_kpi_definition_reads_as_a_sentence():
    kpi = {
        "kpi_id": "k1",
        "name": "Energy use",
        "unit": "MWh/month",
        "baseline": 120.0,
        "target": 102.0,
        "direction": "lower",
        "importance": "must",
    }
    assert say("kpi_defined", {"kpi": kpi}, NAMES) == (
        "KPI Energy use defined",
        "baseline 120 MWh/month, target 102, lower is better (must)",
    )


def test_a_score_reads_with_its_priority():
    data = {"value": 4, "feasibility": 3, "risk": 2, "strategic_fit": 4, "priority": 3.6}
    assert say("idea_scored", data, NAMES) == (
        "Score recorded",
        "value 4, feasibility 3, risk 2, strategic fit 4; priority 3.6",
    )


def test_ids_become_the_names_people_know():
    measured = say("kpi_measured", {"kpi_id": "k1", "value": 100.2, "source": "BMS"}, NAMES)
    assert measured == ("Energy use measured", "100.2 MWh/month (source BMS)")
    result = {"hypothesis_id": "h1", "value": 14.5, "validated": True, "evidence_link": "x"}
    assert say("experiment_result_recorded", result, NAMES)[0] == "Result for “Setback saves”"
    assert (
        say("incident_status_changed", {"incident_id": "i1", "status": "resolved"}, NAMES)[0]
        == "Incident “Overshoot” resolved"
    )
    assert say("condition_fulfilled", {"condition_id": "c1"}, NAMES)[0] == (
        "Condition “Works council informed” fulfilled"
    )


def test_an_acknowledgement_quotes_its_note_and_none_without_one():
    bare = {"incident_id": "i1", "acknowledged_by": "olivia", "note": ""}
    assert say("incident_acknowledged", bare, NAMES) == (
        "Incident “Overshoot” acknowledged",
        "by olivia",
    )  # the note is optional: no empty quotes
    noted = {**bare, "note": "Sensor replaced"}
    assert say("incident_acknowledged", noted, NAMES)[1] == "by olivia; “Sensor replaced”"


def test_an_unknown_kind_or_shape_falls_back_to_its_plainest_fields():
    assert say("budget_approved", {"title": "More money"}, NAMES) == (
        "Budget approved",
        "title More money",
    )
    assert say("kpi_defined", {"kpi": "not a dict"}, NAMES)[0] == "KPI defined"
    assert label("poc_opened") == "PoC opened"


def body(kind: str, stage: str, actor: str, minute: int, **data: object) -> bytes:
    return msgspec.json.encode(
        {
            "id": f"{kind}-{minute}",
            "type": f"io.tollgate.{stage}.{kind}.v1",
            "time": AT.replace(minute=minute),
            "actor": actor,
            "data": data,
        }
    )


def test_the_filters_keep_the_matching_stage_kinds_and_actor():
    found = entries(
        [
            body(
                "idea_scored",
                "ideation",
                "olivia",
                1,
                value=4,
                feasibility=3,
                risk=2,
                strategic_fit=4,
                priority=3.6,
            ),
            body("kpi_measured", "pilot", "kpi-bot", 2, kpi_id="k1", value=3.0),
            body("kpi_defined", "pilot", "carlos", 3, kpi={}),
        ],
        names=NAMES,
    )
    kept = lambda f: [e.kind for e in found if f.keeps(e)]  # noqa: E731
    assert kept(Filters(stage="pilot")) == ["kpi_defined", "kpi_measured"]
    assert kept(Filters(kind="kpi_measured,idea_scored")) == ["kpi_measured", "idea_scored"]
    assert kept(Filters(actor="olivia")) == ["idea_scored"]
    assert Filters(stage="pilot", actor="o l").query == "?stage=pilot&actor=o+l"
    assert Filters().query == "" and not Filters().active


def test_events_at_the_same_moment_show_the_later_one_first():
    found: list[Entry] = entries(
        [
            body("gate_vote_cast", "poc", "clara", 5, gate="G2"),
            body("gate_decided", "poc", "clara", 5, gate="G2"),
        ]
    )
    assert [e.kind for e in found] == ["gate_decided", "gate_vote_cast"]
