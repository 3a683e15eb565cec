"""Decisions that explain themselves: one current vote per member, the tally, the replayed
readiness of each decision, and what changed since a recycle. Given events / when they
are folded / then the views."""

from __future__ import annotations

from functools import reduce
from typing import Any

from msgspec.structs import replace

from events import ideation
from events.criteria import evaluate
from events.facts import Facts, apply
from events.gates import Decision
from services.projection.decisions import links, replay_of, since_recycle
from services.projection.views.evidence import changes, inventory
from services.projection.views.initiative import Initiative, initial, project
from services.projection.views.replay import Replays
from services.projection.views.tally import tally
from tests.unit.projection.given import (
    I,
    T,
    decided,
    ideation_work,
    kpi,
    measured,
    proposed,
    review,
    vote,
)

SCORED, SOURCED, RISK, WORKSHOP = ideation_work()


def fold(events: list[Any]) -> Initiative:
    return reduce(project, events, initial(I))


def facts_of(events: list[Any]) -> Facts:
    return reduce(apply, events, Facts())


def again(at: float, vote_id: str, voter: str, decision: Decision) -> ideation.GateVoteCast:
    return ideation.GateVoteCast(
        initiative_id=I,
        at=T(at),
        gate="G1",
        vote_id=vote_id,
        voter=voter,
        decision=decision,
        rationale=f"now {decision}",
    )


def test_a_members_later_vote_replaces_their_earlier_one_which_stays_in_the_history():
    h = fold([proposed(), review(2), vote(3, "1", "hold"), again(4, "2", "v-1", "go")]).gates
    (r,) = h.reviews
    assert [(v.voter, v.decision) for v in r.votes] == [("v-1", "go")]
    assert [(v.voter, v.decision) for v in r.earlier] == [("v-1", "hold")]


def test_a_repeated_vote_is_counted_once_in_the_tally():
    t = tally(["go"], 2)
    assert (t.counts, t.needed, t.split) == ({"go": 1}, 1, False)
    assert t.text == "go 1: 2 agreeing votes needed (one more vote for go decides)"


def test_a_go_hold_split_is_flagged_as_deadlocked():
    t = tally(["go", "hold"], 2)
    assert t.split and t.leading is None
    assert t.text == "go 1, hold 1: 2 agreeing votes needed"
    assert t.hint.startswith("Deadlocked for now: the votes are split between go and hold")


def test_no_votes_yet_says_what_decides():
    assert tally([], 1).text == "No votes yet: one vote decides"
    assert tally([], 2).text == "No votes yet: 2 agreeing votes needed"
    assert not tally([], 2).split


def test_a_replay_keeps_the_readiness_of_its_moment_after_later_evidence():
    before = [proposed(), SCORED, SOURCED, RISK]
    row = fold([*before, review(2), decided(3, "recycle"), WORKSHOP])
    replay = replay_of(row, 1)
    assert replay is not None and replay.decision == "recycle" and replay.gate == "G1"
    assert replay.readiness == evaluate("G1", facts_of(before), "2025.1")
    workshop = next(c for c in replay.readiness.criteria if c.id == "g1.workshop")
    assert not workshop.met  # the workshop was held after the decision
    now = evaluate("G1", row.facts, "2025.1")
    assert next(c for c in now.criteria if c.id == "g1.workshop").met


def test_decisions_are_numbered_in_the_order_taken_with_their_replay_address():
    row = fold(
        [proposed(), *ideation_work(), review(2), decided(3, "recycle"), review(4), decided(5)]
    )
    assert [(d.n, d.gate, d.decision) for d in links(row)] == [
        (1, "G1", "recycle"),
        (2, "G1", "go"),
    ]
    assert links(row)[1].replay == f"/api/v1/initiatives/{I}/decisions/2"
    assert replay_of(row, 3) is None and replay_of(row, 0) is None


def test_a_recycled_stage_lists_the_evidence_added_since_and_what_is_still_missing():
    row = fold([proposed(), SCORED, review(2), decided(3, "recycle"), WORKSHOP, SOURCED])
    changes = since_recycle(row)
    assert changes is not None and changes.since == T(3) and changes.until is None
    assert {i.label for i in changes.added} == {"Workshops held", "Sourcing"}
    assert [c.id for c in changes.still_missing] == ["g1.risk"]
    assert "Sourcing decided (build, buy or partner)" in changes.now_met


def test_changed_evidence_reads_as_superseded():
    rescored = ideation.IdeaScored(
        initiative_id=I, at=T(4), value=5, feasibility=4, risk=2, strategic_fit=4, priority=4.5
    )
    row = fold([proposed(), SCORED, review(2), decided(3, "recycle"), rescored])
    changes = since_recycle(row)
    assert changes is not None
    (change,) = changes.superseded
    assert change.label == "Scores" and change.before.startswith("value 4")
    assert change.after.startswith("value 5")


def test_an_earlier_recycle_compares_up_to_the_next_decision_at_its_gate():
    row = fold(
        [
            proposed(),
            SCORED,
            review(2),
            decided(3, "recycle"),
            WORKSHOP,
            review(4),
            decided(5, "hold"),
            SOURCED,
        ]
    )
    first = replay_of(row, 1)
    assert first is not None and first.since is not None and first.since.until == T(5)
    assert [i.label for i in first.since.added] == ["Workshops held"]  # not the later sourcing
    assert since_recycle(row) is None  # the last decision was a hold


def test_a_rebuild_folds_the_same_replays_as_the_live_projection():
    events = [proposed(), SCORED, review(2), decided(3, "recycle"), WORKSHOP, review(4), decided(5)]
    live = reduce(project, events, initial(I))
    assert fold(events).replays == live.replays
    assert reduce(project, events[-2:], live).replays == live.replays  # repeats change nothing


def test_more_measurements_of_a_kpi_read_as_evidence_added():
    then = [kpi(), measured(21, 1, "m1")]
    now = [*then, measured(22, 12, "m2"), measured(23, 13, "m3")]
    was, ready = facts_of(then), facts_of(now)
    found = changes(
        "G3",
        T(21),
        None,
        (inventory(was), evaluate("G3", was)),
        (inventory(ready), evaluate("G3", ready)),
    )
    assert [(i.label, i.text) for i in found.added] == [
        ("2 more measurements of “Accuracy”", "3 measurements, latest 13 %")
    ]
    assert found.superseded == ()


def test_a_decision_applied_before_replays_were_kept_replays_without_a_checklist():
    row = fold([proposed(), *ideation_work(), review(2), decided(3)])
    old = replay_of(replace(row, replays=Replays()), 1)  # a row stored by an older build
    assert old is not None and old.readiness is None and old.rationale == "decided"
