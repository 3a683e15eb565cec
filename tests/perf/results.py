"""bench-results.json at the repository root: a list of figures, one entry per name.

Each entry is `{"name", "ours", "baseline", "baseline_name", "ratio", "unit"}`, the
baseline measured in the same run; a later run of the same benchmark replaces its entry.
"""

from __future__ import annotations

import json
from pathlib import Path

RESULTS = Path(__file__).resolve().parents[2] / "bench-results.json"


def record(name: str, ours: float, baseline: float | None, baseline_name: str, unit: str) -> None:
    ratio = round(ours / baseline, 3) if baseline else None
    entry = {
        "name": name, "ours": round(ours, 3), "baseline": baseline and round(baseline, 3),
        "baseline_name": baseline_name, "ratio": ratio, "unit": unit,
    }  # fmt: skip
    results = json.loads(RESULTS.read_text()) if RESULTS.exists() else []
    if not isinstance(results, list):
        results = []
    results = [r for r in results if r.get("name") != name] + [entry]
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")
