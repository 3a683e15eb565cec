"""A stream's folded decider state, and the bounded cache of them a stage service keeps.

The cache is version-checked by construction: the runner always reads the events after
the cached version, so another replica's writes are folded in, never missed.
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from typing import Generic, TypeVar

import msgspec

S = TypeVar("S")
CACHED_STREAMS = 10_000
STATE_VERSION = 1  # bump when evolve changes what a state means without changing its shape


class Folded(msgspec.Struct, Generic[S], frozen=True, kw_only=True):
    state: S
    version: int = 0
    tx_id: int = 0  # the global-order point of the last folded event
    position: int = 0
    snapshot_version: int = 0  # the version of the stored snapshot


def state_key(initial_state: object) -> str:
    """Names the state's shape: a snapshot taken under another shape is never read."""
    schema = msgspec.json.encode(msgspec.json.schema(type(initial_state)))
    digest = hashlib.sha256(schema).hexdigest()[:16]
    return f"{type(initial_state).__name__}.v{STATE_VERSION}.{digest}"


class FoldedCache(Generic[S]):
    def __init__(self, size: int = CACHED_STREAMS) -> None:
        self.size = size
        self._items: OrderedDict[str, Folded[S]] = OrderedDict()

    def get(self, stream_id: str) -> Folded[S] | None:
        folded = self._items.get(stream_id)
        if folded is not None:
            self._items.move_to_end(stream_id)
        return folded

    def put(self, stream_id: str, folded: Folded[S]) -> None:
        self._items[stream_id] = folded
        self._items.move_to_end(stream_id)
        while len(self._items) > self.size:
            self._items.popitem(last=False)

    def drop(self, stream_id: str) -> None:
        self._items.pop(stream_id, None)
