"""bench-results.json at the repository root: a list of figures, one entry per name.

Each entry is `{"name", "ours", "baseline", "baseline_name", "ratio", "unit"}`, the
baseline measured in the same run; a later run of the same benchmark replaces its entry.
BENCH_RESULTS names another file (the harness's smoke test writes to a temporary one).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

DEFAULT = Path(__file__).resolve().parents[2] / "bench-results.json"


def results_path() -> Path:
    return Path(os.environ.get("BENCH_RESULTS") or DEFAULT)


def read() -> list[dict[str, object]]:
    path = results_path()
    results = json.loads(path.read_text()) if path.exists() else []
    return results if isinstance(results, list) else []


def record(name: str, ours: float, baseline: float | None, baseline_name: str, unit: str) -> None:
    ratio = round(ours / baseline, 3) if baseline else None
    entry = {
        "name": name,
        "ours": round(ours, 3),
        "baseline": baseline and round(baseline, 3),
        "baseline_name": baseline_name,
        "ratio": ratio,
        "unit": unit,
    }
    results = [r for r in read() if r.get("name") != name] + [entry]
    results_path().write_text(json.dumps(results, indent=2) + "\n")
