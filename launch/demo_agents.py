"""The demo's AI agents (PRODUCT.md section 9): two agents under different policies, sent to
the agents service as its real commands.

- kpi-agent records KPI measurements directly, but one that deviates more than 20% from
  the last is held for an owner; anything else is refused. Sponsor: olivia.
- doc-agent drafts documents for the initiative's owner (olivia) to approve; anything else
  is refused. Sponsor: carlos, the AI manager.
Then: one draft approved (it reaches the MVP stage with doc-agent as author), one waiting
in olivia's inbox, a deviating measurement waiting for an owner, and a refused action
escalated to doc-agent's sponsor. Fixed action ids make a second run change nothing.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import msgspec

from events import agents, mvp
from events.base import SYSTEM, Actor
from events.kpis import RecordMeasurement
from events.replies import CommandReply
from infra.driver import Driver

ADMIN = Actor(id="admin", name="admin", roles=("admin",))
OLIVIA = Actor(id="olivia", name="olivia", roles=("owner",))
KPI = Actor(id="kpi-agent", name="kpi-agent", kind="agent", roles=("contributor",))
DOC = Actor(id="doc-agent", name="doc-agent", kind="agent", roles=("contributor",))
POLICIES = {
    KPI.id: agents.Policy(
        rules=(agents.Rule(action="record-measurement", mode="direct", max_deviation=0.2),),
        approver=agents.Approver(role="owner"), hold_hours=48,
    ),
    DOC.id: agents.Policy(
        rules=(agents.Rule(action="record-document", mode="draft",
                           approver=agents.Approver(account="olivia")),),
        hold_hours=120,
    ),
}  # fmt: skip
SPONSORS = {KPI.id: "olivia", DOC.id: "carlos"}


def document(initiative_id: str, kind: mvp.DocumentKind, at: datetime) -> mvp.RecordDocument:
    return mvp.RecordDocument(initiative_id=initiative_id, at=at, actor=DOC,
                              document_id=f"doc-agent-{kind}", kind=kind,
                              link=f"https://wiki.example.com/{initiative_id}/{kind}",
                              author="doc-agent")  # fmt: skip


def screen(
    agent: Actor, action_id: str, action: agents.ActionKind, where: tuple[str, str], *,
    body: msgspec.Struct | dict[str, object], at: datetime, last: float | None = None,
) -> agents.Screen:  # fmt: skip
    initiative_id, stage = where
    return msgspec.convert(
        {"agent_id": agent.id, "at": at, "actor": agent, "action_id": action_id,
         "action": action, "initiative_id": initiative_id, "stage": stage,
         "body": msgspec.json.encode(body).decode(), "last_value": last},
        agents.Screen, from_attributes=True,
    )  # fmt: skip


async def seed(driver: Driver, now: datetime) -> int:
    """Returns the last position it reached (0: nothing new)."""
    last = 0

    async def send(service: str, command: msgspec.Struct) -> CommandReply:
        nonlocal last
        reply = await driver.step(service, command)  # type: ignore[arg-type]
        last = max(last, reply.position or 0)
        return reply

    for agent_id, policy in POLICIES.items():
        at = now - timedelta(days=30)
        made = await send("agents", agents.SetPolicy(agent_id=agent_id, at=at, actor=ADMIN,
                                                     policy=policy))  # fmt: skip
        if not made.events:  # a second run: set up already
            continue
        await send("agents", agents.AssignSponsor(agent_id=agent_id, at=at, actor=ADMIN,
                                                  sponsor=SPONSORS[agent_id]))  # fmt: skip
        sponsor = Actor(id=SPONSORS[agent_id], name=SPONSORS[agent_id], roles=("owner",))
        await send("agents", agents.Attest(agent_id=agent_id, at=at, actor=sponsor))
    runbook = document("demo-15", "runbook", now - timedelta(days=3))
    where = ("demo-15", "mvp")
    await send("agents", screen(DOC, "demo-draft-1", "record-document", where, body=runbook,
                                at=runbook.at))  # fmt: skip
    approved = await send("agents", agents.Approve(
        agent_id=DOC.id, at=now - timedelta(days=2, hours=20), actor=OLIVIA,
        action_id="demo-draft-1",
    ))  # fmt: skip
    if approved.events:  # only the first run: the draft reaches its stage once
        await send("mvp", runbook)
    card = document("demo-25", "model_card", now - timedelta(hours=20))
    await send("agents", screen(DOC, "demo-draft-2", "record-document", ("demo-25", "mvp"),
                                body=card, at=card.at))  # fmt: skip
    score = {
        "command": "score-idea",
        "initiative_id": "demo-12",
        "value": 5,
        "feasibility": 5,
        "risk": 1,
        "strategic_fit": 5,
    }  # refused: never stored anywhere but the refusal
    await send("agents", screen(DOC, "demo-refused-1", "score-idea", ("demo-12", "ideation"),
                                body=score, at=now - timedelta(days=1)))  # fmt: skip
    jump = RecordMeasurement(initiative_id="demo-19", at=now - timedelta(hours=6), actor=KPI,
                             kpi_id="k1", measurement_id="kpi-agent-jump", value=131.0,
                             source="kpi-agent")  # fmt: skip
    await send("agents", screen(KPI, "demo-measure-1", "record-measurement",
                                ("demo-19", "pilot"), body=jump, at=jump.at,
                                last=100.2))  # fmt: skip
    await send("agents", agents.ExpireHeld(agent_id=DOC.id, at=now, actor=SYSTEM))
    return last
