"""The in-memory fold (rebuild, time travel) and the portfolio figures."""

from __future__ import annotations

import uuid
from functools import reduce
from typing import Any

import msgspec

from events.base import event_tag, type_parts
from events.catalog import EVENT_DECODER
from events.envelope import CloudEvent
from services.projection.portfolio import percentile, portfolio, review_item
from services.projection.views.fold import Fold
from services.projection.views.initiative import Initiative, initial, project
from tests.unit.projection.given import (
    T,
    decided,
    ideation_work,
    kpi,
    measured,
    poc_opened,
    proposed,
    review,
)


def envelope(event: Any, version: int) -> CloudEvent:
    tag = event_tag(event)
    return CloudEvent(
        specversion="1.0", id=str(uuid.uuid5(uuid.NAMESPACE_OID, f"{tag}{version}")),
        source=f"/tollgate/{type_parts(tag)[0]}", type=tag, subject=event.initiative_id,
        time=event.at, data=msgspec.Raw(msgspec.json.encode(event)), streamversion=version,
    )  # fmt: skip


STREAM = [proposed(), *ideation_work(), review(2), decided(3)]


def folded(envelopes: list[CloudEvent]) -> Initiative:
    return reduce(project, [EVENT_DECODER.decode(ce.data) for ce in envelopes], initial("i-1"))


def test_a_repeated_event_is_applied_once():
    fold = Fold()
    envelopes = [envelope(e, v) for v, e in enumerate(STREAM, 1)]
    for seq, ce in enumerate([*envelopes, *envelopes], 1):
        fold.feed(ce, seq)
    assert len(fold.applied) == len(STREAM)
    assert fold.rows["i-1"] == folded(envelopes)


def test_a_repeat_arriving_later_changes_nothing():
    fold = Fold()
    envelopes = [envelope(e, v) for v, e in enumerate(STREAM, 1)]
    for seq, ce in enumerate([*envelopes, envelopes[1], envelopes[0]], 1):
        fold.feed(ce, seq)
    assert [ce.streamversion for _, ce in fold.applied] == list(range(1, len(STREAM) + 1))
    assert fold.rows["i-1"] == folded(envelopes)


def test_a_snapshot_is_kept_at_every_hundredth_event_of_a_stream_and_equals_the_fold_so_far():
    measurements = [measured(21 + m / 100, m, f"m{m}") for m in range(250)]
    envelopes = [envelope(e, v) for v, e in enumerate([poc_opened(20), kpi(), *measurements], 1)]
    fold = Fold()
    for seq, ce in enumerate(envelopes, 1):
        fold.feed(ce, seq)
    assert [(i, seq) for i, seq, _ in fold.snapshots] == [("i-1", 100), ("i-1", 200)]
    for _, seq, row in fold.snapshots:
        assert row == folded(envelopes[:seq])


def test_the_portfolio_counts_converts_and_times_stages():
    fold = Fold()
    for v, e in enumerate(STREAM, 1):
        fold.feed(envelope(e, v), v)
    p = portfolio(list(fold.rows.values()), T(13), stale_days=5)
    assert p.per_stage["poc"] == 1 and p.per_status == {"active": 1}
    g1 = p.conversion[0]
    assert (g1.gate, g1.decided, g1.passed, g1.rate) == ("G1", 1, 1, 1.0)
    ideation = p.cycle_times[0]
    assert (ideation.stage, ideation.median_days) == ("ideation", 3.0)
    assert [s.days_in_stage for s in p.stale] == [10.0]
    assert p.kill_rate == 0.0


def test_a_pending_review_is_queued_with_its_readiness():
    fold = Fold()
    for v, e in enumerate(STREAM[:-1], 1):
        fold.feed(envelope(e, v), v)
    item = review_item(fold.rows["i-1"], T(4))
    assert item is not None and item.gate == "G1" and item.waiting_days == 2.0
    assert item.readiness is not None and item.readiness.must_met


def test_percentiles_use_the_nearest_rank():
    assert percentile([], 50) is None
    assert percentile([1, 2, 3, 4], 50) == 2
    assert percentile([float(i) for i in range(1, 11)], 90) == 9


def test_a_bounded_fold_evicts_the_least_recently_used_and_returns_the_changed_ones():
    def row(i: str) -> Initiative:
        return folded([envelope(proposed(), 1)]).__class__(
            initiative_id=i, summary=initial(i).summary
        )

    fold = Fold(keep=2)
    fold.rows.update({"a": row("a"), "b": row("b")})  # read back, unchanged
    for v, e in enumerate(STREAM, 1):
        fold.feed(envelope(e, v), v)  # i-1: used last, changed
    fold.rows.move_to_end("a")  # used again
    evicted = fold.evict()
    assert evicted == [] and list(fold.rows) == ["i-1", "a"], "b went, unchanged"
    fold.keep = 1
    assert fold.evict() == [folded([envelope(e, v) for v, e in enumerate(STREAM, 1)])]
    assert list(fold.rows) == ["a"] and not fold.changed


def test_detach_hands_over_what_to_store_and_never_evicts_the_next_chunks_rows():
    fold = Fold(keep=1)
    for v, e in enumerate(STREAM, 1):
        fold.feed(envelope(e, v), v)
    fold.rows["z"] = initial("z")  # read back for the next chunk, least recent after i-1
    fold.rows.move_to_end("i-1")
    applied, snapshots = fold.applied, fold.snapshots
    out = fold.detach(keeping={"z"})
    assert out.applied is applied and len(applied) == len(STREAM)
    assert out.snapshots is snapshots
    assert out.evicted == [folded([envelope(e, v) for v, e in enumerate(STREAM, 1)])]
    assert list(fold.rows) == ["z"] and fold.applied == [] and fold.snapshots == []
    fold.keep = 0  # more rows to keep than the bound: the next chunk's stay
    assert fold.detach(keeping={"z"}).evicted == [] and list(fold.rows) == ["z"]
