"""The delegation-of-authority matrix: which rule of a policy applies to a screened action,
and what it says (pure)."""

from __future__ import annotations

import msgspec

from events.agents import Approver, Mode, Policy, Rule, Screen
from events.errors import Invalid


class Verdict(msgspec.Struct, frozen=True, kw_only=True):
    mode: Mode
    rule: str  # the rule applied, in words: shown on the agent's page and in a refusal
    approver: Approver | None = None
    hold_hours: int = 72


class _Value(msgspec.Struct):
    value: float


def verdict(policy: Policy, version: int, command: Screen) -> Verdict:
    """The first rule matching the action, stage and risk class decides; no rule: the
    policy's `otherwise`. A direct measurement beyond the rule's deviation limit is held."""
    for n, rule in enumerate(policy.rules, start=1):
        if _matches(rule, command):
            named = f"policy v{version} rule {n}: {describe(rule)}"
            approver = rule.approver or policy.approver
            hours = rule.hold_hours or policy.hold_hours
            held = Verdict(mode="draft", rule=named, approver=approver, hold_hours=hours)
            beyond = _beyond_limit(rule, command)
            if rule.mode == "direct" and beyond:
                return msgspec.structs.replace(held, rule=f"{named}; {beyond}")
            return msgspec.structs.replace(held, mode=rule.mode)
    named = f"policy v{version}: otherwise {policy.otherwise}"
    return Verdict(mode=policy.otherwise, rule=named, approver=policy.approver,
                   hold_hours=policy.hold_hours)  # fmt: skip


def describe(rule: Rule) -> str:
    """e.g. "record-document in mvp for high risk -> draft"."""
    words: list[str] = ["any action" if rule.action == "*" else rule.action]
    if rule.stages:
        words.append(f"in {'/'.join(rule.stages)}")
    if rule.risk_classes:
        words.append(f"for {'/'.join(rule.risk_classes)} risk")
    if rule.max_deviation is not None:
        words.append(f"within {rule.max_deviation:.0%} of the last value")
    return f"{' '.join(words)} -> {rule.mode}"


def _matches(rule: Rule, command: Screen) -> bool:
    return (
        rule.action in ("*", command.action)
        and (not rule.stages or command.stage in rule.stages)
        and (not rule.risk_classes or command.risk_class in rule.risk_classes)
    )


def _beyond_limit(rule: Rule, command: Screen) -> str:
    """Why a measurement is held by the deviation limit ("" when it is within)."""
    limit, last = rule.max_deviation, command.last_value
    if limit is None or last is None or command.action != "record-measurement":
        return ""
    try:
        value = msgspec.json.decode(command.body, type=_Value).value
    except msgspec.DecodeError as exc:
        raise Invalid(f"the measurement to screen has no value: {exc}") from None
    if value == last:
        return ""
    share = abs(value - last) / abs(last) if last else float("inf")
    if share <= limit:
        return ""
    moved = "more than 100x" if share == float("inf") else f"{share:.0%}"
    return f"{value:g} deviates {moved} from the last value {last:g} (limit {limit:.0%})"


def check(policy: Policy) -> None:
    """A policy that can hold an action names who approves it."""
    for n, rule in enumerate(policy.rules, start=1):
        holds = rule.mode == "draft" or (rule.mode == "direct" and rule.max_deviation)
        approver = rule.approver or policy.approver
        if holds and approver is None:
            raise Invalid(f"rule {n} ({describe(rule)}) can hold an action: name an approver")
    for approver in [policy.approver, *(r.approver for r in policy.rules)]:
        if approver is not None and (approver.account is None) == (approver.role is None):
            raise Invalid("an approver is one account or one role, not both or neither")
    if policy.otherwise == "draft" and policy.approver is None:
        raise Invalid("otherwise draft needs the policy's approver")
