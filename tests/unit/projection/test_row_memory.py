"""An initiative's row is a tree of Frozen pieces (events/base.py): none tracked by the
garbage collector, and a measurement's repeated words are shared, not copied."""

from __future__ import annotations

import gc

import msgspec

from services.projection.views.fold import Fold
from tests.integration.test_projection_support import portfolio


def structs(value: object) -> list[msgspec.Struct]:
    found: list[msgspec.Struct] = []
    stack = [value]
    while stack:
        v = stack.pop()
        if isinstance(v, msgspec.Struct):
            found.append(v)
            stack.extend(getattr(v, f) for f in v.__struct_fields__)
        elif isinstance(v, tuple | list):
            stack.extend(v)
        elif isinstance(v, dict):
            stack.extend(v.values())
    return found


def test_no_piece_of_a_folded_row_is_tracked_by_the_collector_and_kpi_words_are_shared():
    fold = Fold()
    for sequence, ce in enumerate(portfolio(24, measurements=30), 1):
        fold.feed(ce, sequence)
    pieces = [s for row in fold.rows.values() for s in structs(row)]
    assert len(pieces) > 1000
    assert [type(s).__name__ for s in pieces if gc.is_tracked(s)] == []
    measurements = [m for row in fold.rows.values() for k in row.facts.kpis.values()
                    for m in k.measurements]  # fmt: skip
    assert len(measurements) > 200
    assert len({id(m.source) for m in measurements}) == len({m.source for m in measurements})
    assert len({id(m.kpi_id) for m in measurements}) == len({m.kpi_id for m in measurements})
