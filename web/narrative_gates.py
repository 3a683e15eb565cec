"""The gates' and people's events in words, and `say`: any event's headline and detail."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from events.wording import counted, listed, number, quoted
from web.narrative import SAY, STAGE_OPENED, Data, Names, joined, label, why
from web.narrative_compliance import COMPLIANCE_SAY

SHOWN = ("title", "gate", "decision", "rationale", "reason", "evidence", "owner")


def _decision(d: Data) -> str:
    return str(d.get("decision", "")).replace("_", " ")


def _conditions(d: Data) -> str:
    texts = [quoted(c.get("text", "")) for c in d.get("conditions", [])]
    return f"conditions: {'; '.join(texts)}" if texts else ""


def _requested(d: Data, _: Names) -> tuple[str, str]:
    return f"{d.get('gate', '')} review requested", ""


def _vote(d: Data, _: Names) -> tuple[str, str]:
    return f"Vote on {d.get('gate', '')}: {_decision(d)}", joined(why(d), _conditions(d))


def _decided(d: Data, _: Names) -> tuple[str, str]:
    unmet = d.get("unmet") or []
    return f"{d.get('gate', '')} decided: {_decision(d)}", joined(
        why(d),
        _conditions(d),
        f"by {listed(d.get('decided_by', []))}",
        f"criteria {d.get('criteria_version', '')}",
        f"unmet then: {'; '.join(unmet)}" if unmet else "",
    )


def _opened(name: str) -> Callable[[Data, Names], tuple[str, str]]:
    def say(d: Data, _: Names) -> tuple[str, str]:
        open_ = (d.get("handoff") or {}).get("open_conditions") or []
        left = f"{counted(len(open_), 'open condition')} carried over" if open_ else ""
        return f"{STAGE_OPENED[name]} opened", left

    return say


def _fulfilled(d: Data, n: Names) -> tuple[str, str]:
    text = n.conditions.get(d.get("condition_id", ""), "a condition")
    return f"Condition {quoted(text)} fulfilled", (
        f"evidence {why(d, 'evidence')}" if d.get("evidence") else ""
    )


def _handed_over(d: Data, _: Names) -> tuple[str, str]:
    return "Ownership handed over", joined(
        f"from {d.get('previous_owner', '')} to {d.get('owner', '')}", why(d, "reason")
    )


def _case_refined(d: Data, n: Names) -> tuple[str, str]:
    c = d["case"]
    money = f" {c.get('currency', 'EUR')}"
    kpi = c.get("kpi_id")
    carried = n.kpis.get(kpi, (kpi or "", ""))[0] if kpi else ""
    return "Business case refined", joined(
        f"expected {number(c['expected_annual_value'])}{money} a year",
        f"one-off {number(c.get('one_off_cost', 0))}{money}",
        f"running {number(c.get('running_cost_per_year', 0))}{money} a year",
        f"confidence {c.get('confidence', 'medium')}",
        f"value carried by {quoted(carried)}" if carried else "",
    )


def _resumed(d: Data, _: Names) -> tuple[str, str]:
    return "Resumed", why(d, "reason")


def _re_review(d: Data, _: Names) -> tuple[str, str]:
    return "Re-review requested", str(d.get("reason", ""))


def _re_decided(d: Data, _: Names) -> tuple[str, str]:
    return f"Re-review decided: {_decision(d)}", why(d)


def _overdue(d: Data, _: Names) -> tuple[str, str]:
    due = str(d.get("due_at", ""))[:10]
    chair = d.get("escalated_to")
    return f"{d.get('gate', '')} review overdue", joined(
        f"due {due} ({d.get('working_days', '')} working days)",
        f"escalated to {chair}" if chair else "",
    )


GATE_SAY: dict[str, Callable[[Data, Names], tuple[str, str]]] = {
    "gate_review_requested": _requested,
    "gate_vote_cast": _vote,
    "gate_decided": _decided,
    "condition_fulfilled": _fulfilled,
    "ownership_handed_over": _handed_over,
    "business_case_refined": _case_refined,
    "initiative_resumed": _resumed,
    "re_review_requested": _re_review,
    "re_review_decided": _re_decided,
    "review_overdue": _overdue,
    **{name: _opened(name) for name in STAGE_OPENED},
    **COMPLIANCE_SAY,
}


def _plain(name: str, data: Data) -> tuple[str, str]:
    """An event kind without its own words yet: its label and its plainest fields."""
    shown = [f"{k.replace('_', ' ')} {data[k]}" for k in SHOWN if data.get(k) not in (None, "")]
    return label(name), joined(*shown)


def say(name: str, data: dict[str, Any], names: Names) -> tuple[str, str]:
    """(headline, detail) of one event; detail may be empty."""
    found = SAY.get(name) or GATE_SAY.get(name)
    if found is None:
        return _plain(name, data)
    try:
        return found(data, names)
    except (KeyError, TypeError, ValueError, AttributeError):  # a shape this build does not know
        return _plain(name, data)
