"""Fewer young collections of Python's cyclic garbage collector while a batch is made.

The collector runs a young collection every 700 allocations of container objects (its
default) and promotes what survives. A batch that makes thousands of objects which all live
on (the rows of a read, the state of a fold) is scanned again and again as it grows: a
fifth of a rebuild's fold, a seventh of a read of the events. Inside `fewer_young_collections`
young collections run every YOUNG allocations; nested or concurrent uses (tasks interleave
at their awaits) keep it until the last one leaves, which restores the threshold before.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator

YOUNG = 50_000


class _Window:
    inside = 0  # uses not yet left
    before: tuple[int, ...] = ()  # the thresholds to restore


_window = _Window()


@contextlib.contextmanager
def fewer_young_collections() -> Iterator[None]:
    if _window.inside == 0:
        _window.before = gc.get_threshold()
        gc.set_threshold(YOUNG, *_window.before[1:])
    _window.inside += 1
    try:
        yield
    finally:
        _window.inside -= 1
        if _window.inside == 0:
            gc.set_threshold(*_window.before)
