"""Agents decider: policies, and what a policy does with each kind of agent command."""

from __future__ import annotations

from typing import get_args

import msgspec
import pytest

from events import agents as a
from events.errors import Forbidden, Invalid
from services.agents import decider
from tests.unit.agents.given import (
    ADMIN,
    AGENT_ID,
    AT,
    BOT,
    SPONSOR,
    TO_OLGA,
    allowed,
    held,
    policy,
    policy_set,
    refused,
    screen,
    sponsored,
)
from tests.unit.deciders import given

WORK = [k for k in get_args(a.ActionKind) if k not in (*a.NEVER, *a.PEOPLE_ONLY)]


def test_an_admin_sets_a_policy_as_version_1_then_2() -> None:
    first, second = policy(), policy(otherwise="direct")
    command = a.SetPolicy(agent_id=AGENT_ID, at=AT, actor=ADMIN, policy=first)
    given(decider).when(command).then(*policy_set(first))
    again = a.SetPolicy(agent_id=AGENT_ID, at=AT, actor=ADMIN, policy=second)
    given(decider, policy_set(first)).when(again).then(*policy_set(second, version=2))


def test_the_same_policy_again_is_ignored() -> None:
    command = a.SetPolicy(agent_id=AGENT_ID, at=AT, actor=ADMIN, policy=policy())
    given(decider, policy_set(policy())).when(command).ignored()


def test_only_an_admin_sets_a_policy() -> None:
    command = a.SetPolicy(agent_id=AGENT_ID, at=AT, actor=SPONSOR, policy=policy())
    given(decider).when(command).refused(Forbidden, "admin")


def test_an_admin_agent_never_sets_a_policy_not_even_its_own() -> None:
    admin_bot = msgspec.structs.replace(BOT, roles=("admin",))
    command = a.SetPolicy(agent_id=AGENT_ID, at=AT, actor=admin_bot, policy=policy())
    given(decider).when(command).refused(Forbidden, "an agent never does")


def test_a_draft_rule_without_an_approver_is_invalid() -> None:
    rule = a.Rule(action="record-document", mode="draft")
    command = a.SetPolicy(agent_id=AGENT_ID, at=AT, actor=ADMIN, policy=a.Policy(rules=(rule,)))
    given(decider).when(command).refused(Invalid, "name an approver")


@pytest.mark.parametrize("action", WORK)
def test_a_direct_rule_allows_each_kind_of_agent_command(action: a.ActionKind) -> None:
    p = policy(a.Rule(action=action, mode="direct"))
    command = screen(action)
    rule = f"policy v1 rule 1: {action} -> direct"
    given(decider, policy_set(p)).when(command).then(allowed(command, rule))


@pytest.mark.parametrize("action", WORK)
def test_a_draft_rule_holds_each_kind_for_its_approver(action: a.ActionKind) -> None:
    p = policy(a.Rule(action=action, mode="draft"))
    command = screen(action)
    rule = f"policy v1 rule 1: {action} -> draft"
    given(decider, policy_set(p)).when(command).then(held(command, rule))


@pytest.mark.parametrize("action", WORK)
def test_a_refused_rule_refuses_each_kind_and_escalates_to_the_sponsor(
    action: a.ActionKind,
) -> None:
    p = policy(a.Rule(action=action, mode="refused"), otherwise="direct")
    command = screen(action)
    rule = f"policy v1 rule 1: {action} -> refused"
    expected = refused(command, rule, f"refused by {rule}", to=SPONSOR.id)
    given(decider, sponsored(), policy_set(p)).when(command).then(*expected)


@pytest.mark.parametrize("action", a.NEVER)
def test_an_agent_never_votes_whatever_its_policy_says(action: a.ActionKind) -> None:
    p = policy(a.Rule(action=action, mode="direct"), a.Rule(action="*", mode="direct"))
    command = screen(action, stage="pilot")
    expected = refused(command, decider.NEVER_RULE, decider.NEVER_RULE, to=SPONSOR.id)
    given(decider, sponsored(), policy_set(p)).when(command).then(*expected)
    given(decider).when(command).then(*refused(command, decider.NEVER_RULE, decider.NEVER_RULE))


@pytest.mark.parametrize("action", a.PEOPLE_ONLY)
def test_what_only_people_do_is_refused_not_shown_as_allowed(action: a.ActionKind) -> None:
    p = policy(a.Rule(action="*", mode="direct"))
    command = screen(action, stage="pilot")
    rule = decider.PEOPLE_RULE
    given(decider, sponsored(), policy_set(p)).when(command).then(
        *refused(command, rule, rule, to=SPONSOR.id)
    )
    given(decider).when(command).then(*refused(command, rule, rule))


def test_without_a_policy_the_agent_acts_as_its_role_allows() -> None:
    command = screen("record-measurement")
    given(decider).when(command).then(allowed(command, "no policy set: the agent's role applies"))


def test_no_matching_rule_means_otherwise() -> None:
    command = screen("score-idea", stage="ideation")
    rule = "policy v1: otherwise refused"
    p = policy(a.Rule(action="record-document", mode="direct"))
    given(decider, policy_set(p)).when(command).then(*refused(command, rule, f"refused by {rule}"))


def test_the_matrix_narrows_by_stage_and_risk_class_first_rule_wins() -> None:
    p = policy(
        a.Rule(action="record-document", mode="draft", risk_classes=("high",), hold_hours=24),
        a.Rule(action="record-document", mode="direct", stages=("mvp",)),
    )
    high = screen(risk="high")
    rule = "policy v1 rule 1: record-document for high risk -> draft"
    given(decider, policy_set(p)).when(high).then(held(high, rule, hours=24))
    limited = screen(risk="limited")
    rule = "policy v1 rule 2: record-document in mvp -> direct"
    given(decider, policy_set(p)).when(limited).then(allowed(limited, rule))
    poc = screen(risk="limited", stage="poc")
    rule = "policy v1: otherwise refused"
    given(decider, policy_set(p)).when(poc).then(*refused(poc, rule, f"refused by {rule}"))


def test_a_measurement_deviating_more_than_the_limit_is_held() -> None:
    p = policy(a.Rule(action="record-measurement", mode="direct", max_deviation=0.2))
    rule = "policy v1 rule 1: record-measurement within 20% of the last value -> direct"
    near = screen("record-measurement", stage="pilot", body={"value": 115}, last=100)
    given(decider, policy_set(p)).when(near).then(allowed(near, rule))
    far = screen("record-measurement", stage="pilot", body={"value": 130}, last=100)
    why = f"{rule}; 130 deviates 30% from the last value 100 (limit 20%)"
    given(decider, policy_set(p)).when(far).then(held(far, why))
    first = screen("record-measurement", stage="pilot", body={"value": 130}, last=None)
    given(decider, policy_set(p)).when(first).then(allowed(first, rule))


def test_an_action_screened_twice_is_ignored() -> None:
    command = screen()
    given(decider, [allowed(command, "no policy")]).when(command).ignored()


def test_a_suspended_agent_is_refused_everything() -> None:
    command = screen()
    gone = a.AgentSuspended(agent_id=AGENT_ID, at=AT, reason="leaks", suspended_by="ada")
    why = "suspended: leaks"
    given(decider, [gone]).when(command).then(*refused(command, "suspended", why))


def test_only_the_agent_itself_is_screened() -> None:
    given(decider).when(screen(actor=SPONSOR)).refused(Forbidden, "as the agent itself")


def test_the_approver_is_named_in_the_held_action() -> None:
    p = policy(a.Rule(action="record-document", mode="draft"))
    [event] = given(decider, policy_set(p)).when(screen()).decided()
    assert isinstance(event, a.ActionHeld) and event.approver == TO_OLGA
    assert BOT.kind == "agent"


def test_every_stage_command_is_an_action_kind_or_tollgate_s_own() -> None:
    from events import ideation, mvp, pilot, poc

    own = {"open-poc", "open-pilot", "open-mvp", "flag-overdue-review", "escalate-incident"}
    decoders = (ideation.COMMAND_DECODER, poc.COMMAND_DECODER, pilot.COMMAND_DECODER,
                mvp.COMMAND_DECODER)  # fmt: skip
    tags = {str(t.__struct_config__.tag) for d in decoders for t in get_args(d.type)}
    assert tags - own == set(get_args(a.ActionKind))
