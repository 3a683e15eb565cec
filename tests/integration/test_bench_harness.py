"""`make bench`'s harness (tests/perf/bench.py) starts, measures every figure of issue 13 at
a tiny scale and writes its JSON; the figures themselves are `make bench`'s business."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.perf.table import GOALS

NAMES = {
    "append_1w", "append_8w", "append_8w_vs_eventsourcing", "read_all_decoded",
    "read_all_vs_eventsourcing", "relay", "rebuild", "api_get_initiative",
    "api_list_initiatives", "api_portfolio", "command_to_view_p99_ms", "long_history_cost_ratio",
    "api_portfolio_10k_p99_ms", "commands_per_s_http", "rss_mb_max", "rebuild_1m_seconds",
}  # fmt: skip
KEYS = {"name", "ours", "baseline", "baseline_name", "ratio", "unit"}


@pytest.mark.timeout(600)
def test_the_harness_writes_every_figure_of_the_issue_for_a_tiny_n(
    pg_server_url: str, nats_url: str, tmp_path: Path
):
    out = tmp_path / "bench-results.json"
    env = {**os.environ, "DATABASE_URL": pg_server_url, "NATS_URL": nats_url,
           "BENCH_RESULTS": str(out)}  # fmt: skip
    run = subprocess.run(
        [sys.executable, "-m", "tests.perf.bench", "--tiny"], env=env, capture_output=True,
        text=True, timeout=580, check=False,
    )  # fmt: skip
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    figures = {f["name"]: f for f in json.loads(out.read_text())}
    assert set(figures) >= NAMES
    for name in NAMES:
        assert set(figures[name]) == KEYS, figures[name]
        assert figures[name]["ours"] > 0, figures[name]
    assert "| figure | Tollgate | baseline in the same run | ratio | goal |" in run.stdout
    assert all(goal.figure in run.stdout for goal in GOALS)
