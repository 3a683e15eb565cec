"""What the chaos test checks at the end: every acknowledged command stored once, every
stored event once on the stream, nothing applied twice, the right answers under faults."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable

from tests.integration.chaos_client import Sent
from tests.integration.chaos_observe import Published, Snapshot, Stored


def audit_commands(
    ledger: list[Sent], stored: list[Stored], near: Callable[[float, float], list[str]]
) -> list[str]:
    """Acknowledged: stored once, with the acknowledged ids. Refused: stored nowhere. Gave
    up: stored at most once. Never applied twice."""
    by_id = {e.event_id: e for e in stored}
    problems = []
    for sent in ledger:
        fp, tried = sent.fingerprint, ",".join(sent.attempts)
        times = sum(1 for e in stored if e.matches(fp))
        if times > 1:
            problems.append(f"{sent.step} {sent.key} applied {times} times (answers {tried})")
        if sent.acknowledged:
            ids = sent.reply.get("event_ids") or []
            if not ids:
                problems.append(
                    f"{sent.step} {sent.key}: {sent.status} without event_ids: a "
                    f"retry did not return the first response (answers {tried})"
                )
            missing = [i for i in ids if i not in by_id or by_id[i].schema != fp.schema]
            if missing:
                problems.append(f"{sent.step} {sent.key}: acknowledged events not stored {missing}")
        elif sent.status is not None and times:
            problems.append(
                f"{sent.step} {sent.key} answered {sent.status} but stored "
                f"(answers {tried}; reply {sent.reply}; faults meanwhile: "
                f"{near(sent.sent_at, sent.answered_at)})"
            )
    return problems


def audit_positions(ledger: list[Sent], near: Callable[[float, float], list[str]]) -> list[str]:
    """Every acknowledged reply carries `position` (for `min_position`), except while the
    relay cannot publish: a broker restart, or lost database connections, around the reply
    (the command is stored and published later, as the stream audit checks). `near` names
    the faults around the moment of a reply."""
    excused = ("nats restart", "pg_terminate_backend")
    without = [
        s for s in ledger
        if s.acknowledged and not isinstance(s.reply.get("position"), int)
        and not any(f.startswith(excused) for f in near(s.sent_at, s.answered_at))
    ]  # fmt: skip
    if not without:
        return []
    around = Counter(
        label for s in without for label in near(s.sent_at, s.answered_at) or ["no fault"]
    )
    examples = [f"{s.step} {s.reply}" for s in without[:3]]
    return [
        f"{len(without)} acknowledged replies without position; faults around them: "
        f"{dict(around)}; e.g. {examples}"
    ]


def audit_answers(ledger: list[Sent]) -> list[str]:
    """Faults are answered with 503 (retry with the key), never with another 5xx."""
    errors = Counter(
        a for s in ledger for a in s.attempts if a.isdigit() and int(a) >= 500 and a != "503"
    )
    return [f"{n} answers {status} under faults (expected 503)" for status, n in errors.items()]


def stream_problems(
    stored: list[Stored], published: list[Published]
) -> tuple[dict[str, int], list[str]]:
    """Every stored event on the stream exactly once, with Nats-Msg-Id = CloudEvent id."""
    ids = {e.event_id for e in stored}
    seen = Counter(m.event_id for m in published)
    duplicates = {i: n for i, n in seen.items() if n > 1}
    missing = ids - set(seen)
    extra = set(seen) - ids
    mismatched = [m for m in published if m.msg_id != m.event_id]
    problems = (
        [
            f"{len(duplicates)} events on the stream more than once, e.g. "
            f"{sorted(duplicates.items())[:3]}"
        ]
        if duplicates
        else []
    )
    if missing:
        problems.append(
            f"{len(missing)} stored events missing on the stream: {sorted(missing)[:3]}"
        )
    if extra:
        problems.append(f"{len(extra)} messages that are no stored event: {sorted(extra)[:3]}")
    if mismatched:
        problems.append(f"{len(mismatched)} messages whose Nats-Msg-Id is not the event id")
    counts = {
        "events stored": len(ids),
        "messages on the stream": len(published),
        "duplicates": sum(n - 1 for n in duplicates.values()),
        "missing": len(missing),
    }
    return counts, problems


def slowest(ledger: list[Sent]) -> str:
    s = max(ledger, key=lambda s: (s.answered_at or s.sent_at) - s.sent_at)
    took = (s.answered_at or s.sent_at) - s.sent_at
    return f"{s.step} {took:.1f}s, answers {','.join(s.attempts)}"


def command_counts(ledger: list[Sent]) -> dict[str, int]:
    return {
        "commands sent": len(ledger),
        "requests": sum(len(s.attempts) for s in ledger),
        "acknowledged": sum(s.acknowledged for s in ledger),
        "retried (requests)": sum(len(s.attempts) - 1 for s in ledger),
        "retried (commands)": sum(len(s.attempts) > 1 for s in ledger),
        "gave up": sum(s.status is None for s in ledger),
        "refused (4xx)": sum(s.status is not None and 400 <= s.status < 500 for s in ledger),
        "journeys reaching the PoC": sum(
            s.step == "poc-data-source" and s.acknowledged for s in ledger
        ),
    }


def refusals(ledger: list[Sent]) -> Counter[str]:
    return Counter(
        f"{s.step} {s.status}: {str(s.reply.get('detail', ''))[:70]}"
        for s in ledger
        if s.status is not None and not s.acknowledged
    )


def projection_problems(stored: list[Stored], live: Snapshot, rebuilt: Snapshot) -> list[str]:
    """The live timeline holds every stored event once; a rebuild gives the same models."""
    problems = []
    timeline = [event_id for event_id, _ in live[1]]
    if sorted(timeline) != sorted(e.event_id for e in stored):
        problems.append(
            f"live timeline has {len(timeline)} entries "
            f"({len(set(timeline))} distinct) for {len(stored)} stored events"
        )
    if rebuilt != live:
        docs = sum(a != b for a, b in zip(live[0], rebuilt[0], strict=False))
        problems.append(
            f"rebuild differs from live: {len(live[0])} vs {len(rebuilt[0])} initiatives "
            f"({docs} documents differ), timeline {len(live[1])} vs {len(rebuilt[1])}, "
            f"processed {live[2]} vs {rebuilt[2]}"
        )
    return problems
