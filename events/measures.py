"""Named measures over Facts: each returns a number and the evidence behind it, in words.

Criteria (events.criteria) refer to these by name, so criteria stay data. A measure gets
the criterion's threshold too, for the sentences that name it ("2 of 3 measurements").
This module holds the idea's and the proof of concept's measures and the registry; the
pilot's and the MVP's are in events.measures_pilot.
"""

from __future__ import annotations

from collections.abc import Callable

from events import measures_pilot as later
from events import obligations
from events.facts import Facts, open_conditions
from events.measures_pilot import Measured, flag
from events.wording import counted, hypothesis, hypothesis_result, listed, number, quoted

Measure = Callable[[Facts, float], Measured]


def problem_and_goal(f: Facts, _: float = 0) -> Measured:
    missing = [
        n
        for n, v in (("problem statement", f.problem_statement), ("business goal", f.business_goal))
        if not v
    ]
    if missing:
        return flag(False, f"The {listed(missing)} {'are' if len(missing) > 1 else 'is'} missing")
    return flag(
        True, f"Problem: {quoted(f.problem_statement or '')}; goal: {quoted(f.business_goal or '')}"
    )


def sponsor_and_owner(f: Facts, _: float = 0) -> Measured:
    missing = [n for n, v in (("sponsor", f.sponsor), ("owner", f.owner)) if not v]
    named = f"Sponsor {f.sponsor or 'not named'}, owner {f.owner or 'not named'}"
    return flag(not missing, named)


def scored(f: Facts, _: float = 0) -> Measured:
    s = f.scores
    if s is None:
        return flag(False, "Not scored yet")
    return flag(
        True,
        f"Scored value {s.value}, feasibility {s.feasibility}, risk {s.risk}, "
        f"strategic fit {s.strategic_fit}: priority {number(f.priority or 0)}",
    )


def sourcing_decided(f: Facts, _: float = 0) -> Measured:
    return flag(
        f.sourcing is not None,
        f"Decided to {f.sourcing}" if f.sourcing else "No sourcing decision yet",
    )


def risk_preclass_allowed(f: Facts, _: float = 0) -> Measured:
    c = f.risk_preclass
    if c is None:
        return flag(False, "Not pre-classified yet")
    if c == "prohibited":
        return flag(False, "Pre-classified as prohibited: the EU AI Act forbids such a system")
    return flag(True, f"Pre-classified as {c} risk")


def workshops(f: Facts, _: float = 0) -> Measured:
    n = len(f.workshops)
    return n, (f"{counted(n, 'workshop')} held" if n else "No workshop held yet")


def tags(f: Facts, _: float = 0) -> Measured:
    return len(f.tags), (f"Tagged {listed(f.tags)}" if f.tags else "No tags")


def team(f: Facts, _: float = 0) -> Measured:
    return len(f.team), (f"Team: {listed(f.team)}" if f.team else "No team named")


def priority(f: Facts, need: float = 0) -> Measured:
    if f.priority is None:
        return 0.0, "Not scored yet, so no priority"
    return f.priority, f"Priority {number(f.priority)} (at least {number(need)} wanted)"


def hypotheses(f: Facts, _: float = 0) -> Measured:
    hs = list(f.hypotheses.values())
    if not hs:
        return 0, "No hypothesis yet"
    return len(hs), f"{counted(len(hs), 'hypothesis', 'hypotheses')}: " + "; ".join(
        hypothesis(h) for h in hs
    )


def _resulted(f: Facts) -> tuple[int, int, str]:
    """(with a result, all, the sentence)."""
    hs = list(f.hypotheses.values())
    missing = [h for h in hs if h.result is None]
    if not hs:
        return 0, 0, "No hypothesis yet, so none has a result"
    done = f"{len(hs) - len(missing)} of {counted(len(hs), 'hypothesis', 'hypotheses')} " + (
        "have a result" if len(hs) > 1 else "has a result"
    )
    if missing:
        done += "; waiting for: " + "; ".join(hypothesis(h) for h in missing)
    return len(hs) - len(missing), len(hs), done


def hypotheses_without_result(f: Facts, _: float = 0) -> Measured:
    """Criteria 2025.1: vacuously none missing when there is no hypothesis."""
    with_result, total, sentence = _resulted(f)
    return total - with_result, sentence


def every_hypothesis_has_result(f: Facts, _: float = 0) -> Measured:
    """An empty list never satisfies "every"."""
    with_result, total, sentence = _resulted(f)
    return flag(total > 0 and with_result == total, sentence)


def _validation(f: Facts) -> tuple[int, int, str]:
    hs = list(f.hypotheses.values())
    ok = [h for h in hs if h.validated]
    if not hs:
        return 0, 0, "No hypothesis yet, so none is validated"
    head = f"{len(ok)} of {counted(len(hs), 'hypothesis', 'hypotheses')} validated"
    return len(ok), len(hs), f"{head}: " + "; ".join(hypothesis_result(h) for h in hs)


def hypotheses_validated(f: Facts, _: float = 0) -> Measured:
    ok, _total, sentence = _validation(f)
    return ok, sentence


def hypotheses_not_validated(f: Facts, _: float = 0) -> Measured:
    """Criteria 2025.1: vacuously none unvalidated when there is no hypothesis."""
    ok, total, sentence = _validation(f)
    return total - ok, sentence


def every_hypothesis_validated(f: Facts, _: float = 0) -> Measured:
    ok, total, sentence = _validation(f)
    return flag(total > 0 and ok == total, sentence)


def data_sources(f: Facts, _: float = 0) -> Measured:
    names = list(f.data_sources.values())
    if not names:
        return 0, "No data source confirmed yet"
    return len(names), f"{counted(len(names), 'data source')} confirmed: {listed(names)}"


def model_chosen(f: Facts, _: float = 0) -> Measured:
    return flag(
        f.model_choice is not None,
        f"Chose {f.model_choice}" if f.model_choice else "No model or tool chosen yet",
    )


def risk_class_confirmed(f: Facts, _: float = 0) -> Measured:
    c = f.risk_class or f.risk_preclass
    if not f.risk_confirmed:
        pre = f" (pre-classified as {c})" if c else ""
        return flag(False, f"Risk class not confirmed yet{pre}")
    if f.risk_class == "prohibited":
        return flag(False, "Confirmed as prohibited: the EU AI Act forbids such a system")
    return flag(True, f"Confirmed as {f.risk_class} risk")


def conditions_open(f: Facts, _: float = 0) -> Measured:
    left = open_conditions(f)
    if not left:
        return 0, "No open condition"
    return len(left), f"{counted(len(left), 'condition')} still open: " + "; ".join(
        quoted(c.text) for c in left
    )


MEASURES: dict[str, Measure] = {
    fn.__name__: fn
    for fn in (
        problem_and_goal,
        sponsor_and_owner,
        scored,
        sourcing_decided,
        risk_preclass_allowed,
        workshops,
        tags,
        team,
        priority,
        hypotheses,
        hypotheses_without_result,
        every_hypothesis_has_result,
        hypotheses_validated,
        hypotheses_not_validated,
        every_hypothesis_validated,
        data_sources,
        model_chosen,
        risk_class_confirmed,
        conditions_open,
        *later.MEASURES,
        *obligations.MEASURES,
    )
}
