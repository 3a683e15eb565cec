"""The figures of issue 13 as a table (the form of the issue's), with each goal and whether
this run met it. `python -m tests.perf.table` prints the last bench-results.json."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from tests.perf.results import read


@dataclass(frozen=True)
class Goal:
    name: str
    figure: str
    text: str
    met: Callable[[float, float | None], bool] | None  # (ours, ratio); None: no goal


def _ratio(at_least: float) -> Callable[[float, float | None], bool]:
    return lambda _, ratio: ratio is not None and ratio >= at_least


GOALS = (
    Goal("append_1w", "append, 1 writer, 3 events per command", ">= 0.9", _ratio(0.9)),
    Goal("append_8w", "append, 8 writers", ">= 0.8", _ratio(0.8)),
    Goal("append_8w_vs_eventsourcing", "append, 8 writers, against the library", ">= 5x",
         _ratio(5)),
    Goal("read_all_decoded", "read-all, decoded", ">= 300k events/s",
         lambda ours, _: ours >= 300_000),
    Goal("read_all_vs_eventsourcing", "read-all, against the library", ">= 2x", _ratio(2)),
    Goal("relay", "relay to JetStream", ">= 0.7", _ratio(0.7)),
    Goal("rebuild", "projection rebuild", ">= 0.5", _ratio(0.5)),
    Goal("rebuild_1m_seconds", "projection rebuild, 1M events (start to switch)", "< 60 s",
         lambda ours, _: ours < 60),
    Goal("api_get_initiative", "GET /api/v1/initiatives/{id}, 32 connections", ">= 0.5",
         _ratio(0.5)),
    Goal("api_get_initiative_p99_ms", "  its p99", "<= 20 ms", lambda ours, _: ours <= 20),
    Goal("api_list_initiatives", "GET /api/v1/initiatives?limit=50", ">= 0.3", _ratio(0.3)),
    Goal("api_portfolio", "GET /api/v1/portfolio", ">= 0.3", _ratio(0.3)),
    Goal("api_get_initiative_miss", "GET /api/v1/initiatives/{id}, every request a new URL "
         "(the read cache never answers)", "-", None),
    Goal("api_get_initiative_miss_p99_ms", "  its p99", "-", None),
    Goal("api_list_initiatives_miss", "GET /api/v1/initiatives?limit=50, every request a new "
         "URL", "-", None),
    Goal("api_portfolio_10k_p99_ms", "GET /api/v1/portfolio at 10,000 initiatives, p99",
         "<= 50 ms", lambda ours, _: ours <= 50),
    Goal("api_portfolio_10k_as_of_ms", "GET /api/v1/portfolio?as_of= at 10,000 initiatives",
         "<= 1,000 ms", lambda ours, _: ours <= 1000),
    Goal("commands_per_s_http", "proposals over HTTP, 16 clients, end to end",
         ">= 500 commands/s", lambda ours, _: ours >= 500),
    Goal("command_to_view_p99_ms", "command -> read model at 100 commands/s, p99", "<= 60 ms",
         lambda ours, _: ours <= 60),
    Goal("long_history_cost_ratio", "command on 10,000 events / on 10 events", "flat (<= 1.5)",
         lambda _, ratio: ratio is not None and ratio <= 1.5),
    Goal("rss_mb_max", "largest RSS of any service (after the demo and 10,000 proposals)",
         "< 120 MB", lambda ours, _: ours < 120),
    Goal("rebuild_peak_rss_mb", "peak RSS of `tollgate projection rebuild` (100k events)",
         "< 120 MB", lambda ours, _: ours < 120),
)  # fmt: skip


def _number(value: object, unit: str) -> str:
    if not isinstance(value, int | float):
        return "-"
    if unit in ("events/s", "req/s", "commands/s", "rows/s", "msg/s") and value >= 10_000:
        return f"{value / 1000:,.1f}k {unit}"
    return f"{value:,.1f} {unit}" if value < 1000 else f"{value:,.0f} {unit}"


def table() -> str:
    found = {str(r["name"]): r for r in read()}
    lines = ["| figure | Tollgate | baseline in the same run | ratio | goal | met |",
             "|---|---|---|---|---|---|"]  # fmt: skip
    for goal in GOALS:
        r = found.get(goal.name)
        if r is None:
            lines.append(f"| {goal.figure} | not measured | | | {goal.text} | |")
            continue
        unit, ours, ratio = str(r["unit"]), float(r["ours"]), r["ratio"]  # type: ignore[arg-type]
        baseline = f"{r['baseline_name']}: {_number(r['baseline'], unit)}" if r["baseline"] else "-"
        shown = f"{ratio:.2f}" if isinstance(ratio, float | int) else "-"
        met = (
            "-"
            if goal.met is None
            else (
                "yes" if goal.met(ours, ratio if isinstance(ratio, float | int) else None) else "NO"
            )
        )
        lines.append(f"| {goal.figure} | {_number(ours, unit)} | {baseline} | {shown} | "
                     f"{goal.text} | {met} |")  # fmt: skip
    return "\n".join(lines)


if __name__ == "__main__":
    print(table())
