"""bench-results.json: every benchmark adds its figures under its own name."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).resolve().parents[2] / "bench-results.json"


def record(name: str, **figures: Any) -> None:
    """Merge one benchmark's figures into bench-results.json (created on first use)."""
    results = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    results[name] = figures
    RESULTS.write_text(json.dumps(results, indent=2, sort_keys=True) + "\n")
