"""How much work each figure of the harness does: `full` for `make bench`, `tiny` for the
smoke test in `make test` (BENCH_SCALE, or `--tiny` on the command line)."""

from __future__ import annotations

import os
from dataclasses import dataclass


@dataclass(frozen=True)
class Scale:
    name: str
    commands_1w: int  # commands (3 events each) of the single writer
    commands_8w: int  # commands of each of the 8 writers
    library_commands: int  # commands of each of eventsourcing's 8 writers
    read_events: int  # events in each store read in full by the read-all figures
    rebuild_events: int  # events on the stream the rebuild replays
    million: int  # events of the long rebuild (1M: 20,000 initiatives, 125 measurements)
    http_seconds: float  # each wrk run
    seeded: int  # initiatives proposed over HTTP before the 10k portfolio figure
    latency_seconds: int  # command -> view at 100/s
    long_history: int  # events of the long stream
    samples: int  # commands timed on each stream of the long-history figure


FULL = Scale("full", 1500, 400, 150, 100_000, 100_000, 1_000_000, 8.0, 10_000, 10, 10_000, 200)
TINY = Scale("tiny", 30, 10, 5, 2_000, 2_000, 3_000, 1.0, 40, 1, 200, 10)


def current() -> Scale:
    return TINY if os.environ.get("BENCH_SCALE") == "tiny" else FULL
