"""Agents, people and ready-made policies for the agents decider tests."""

from __future__ import annotations

from datetime import timedelta

import msgspec

from events import agents as a
from events.base import SYSTEM, Actor, Fact
from tests.unit.histories import AT, ID

AGENT_ID = "doc-bot"
BOT = Actor(id=AGENT_ID, name="Doc bot", kind="agent", roles=("contributor",))
OTHER_BOT = Actor(id="kpi-bot", name="KPI bot", kind="agent", roles=("contributor", "committee"))
ADMIN = Actor(id="ada", name="Ada", roles=("admin",))
OWNER = Actor(id="olga", name="Olga", roles=("owner",))
SPONSOR = Actor(id="sam", name="Sam", roles=("owner",))
COMMITTEE = Actor(id="cara", name="Cara", roles=("committee",))
STRANGER = Actor(id="vic", name="Vic", roles=("contributor",))
TO_OLGA = a.Approver(account="olga")
__all__ = ["AT", "ID", "SYSTEM"]


def policy(*rules: a.Rule, otherwise: a.Mode = "refused") -> a.Policy:
    return a.Policy(rules=rules, otherwise=otherwise, approver=TO_OLGA, hold_hours=48)


def policy_set(p: a.Policy, version: int = 1) -> list[Fact]:
    return [a.PolicySet(agent_id=AGENT_ID, at=AT, version=version, policy=p, set_by=ADMIN.id)]


def sponsored() -> list[Fact]:
    return [a.SponsorAssigned(agent_id=AGENT_ID, at=AT, sponsor=SPONSOR.id, assigned_by="ada")]


def screen(
    action: a.ActionKind = "record-document", *, action_id: str = "x-1", stage: str = "mvp",
    risk: str | None = "limited", body: object | None = None, last: float | None = None,
    actor: Actor = BOT, initiative_id: str = ID,
) -> a.Screen:  # fmt: skip
    return msgspec.convert(
        {"agent_id": AGENT_ID, "at": AT, "actor": actor, "action_id": action_id,
         "action": action, "initiative_id": initiative_id, "stage": stage, "risk_class": risk,
         "body": msgspec.json.encode(body or {"command": action}).decode(), "last_value": last},
        a.Screen, from_attributes=True,
    )  # fmt: skip


def held(command: a.Screen, rule: str, hours: int = 48) -> a.ActionHeld:
    return a.ActionHeld(
        agent_id=AGENT_ID, at=command.at, action_id=command.action_id, action=command.action,
        initiative_id=command.initiative_id, stage=command.stage, rule=rule, approver=TO_OLGA,
        deadline=command.at + timedelta(hours=hours), command=command.body,
    )  # fmt: skip


def allowed(command: a.Screen, rule: str) -> a.ActionAllowed:
    return a.ActionAllowed(
        agent_id=AGENT_ID, at=command.at, action_id=command.action_id, action=command.action,
        initiative_id=command.initiative_id, stage=command.stage, rule=rule,
    )  # fmt: skip


def refused(command: a.Screen, rule: str, reason: str, to: str | None = None) -> list[Fact]:
    return [
        a.ActionRefused(
            agent_id=AGENT_ID, at=command.at, action_id=command.action_id,
            action=command.action, initiative_id=command.initiative_id, stage=command.stage,
            rule=rule, reason=reason,
        ),
        a.ActionEscalated(agent_id=AGENT_ID, at=command.at, action_id=command.action_id,
                          initiative_id=command.initiative_id, to=to, reason=reason),
    ]  # fmt: skip
