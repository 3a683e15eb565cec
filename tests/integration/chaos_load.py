"""Bounded HTTP load for the chaos test: a few clients take ideas through G1 into the PoC,
so that every stage service and a handoff (ideation -> poc over JetStream) are exercised."""

from __future__ import annotations

import asyncio
import time
import uuid
from typing import Any, NamedTuple

from tests.integration.chaos_client import Client, Fingerprint, Sent

REATTEMPTS = 6  # fresh commands after a definite "not open yet" of a stage being handed off


class Step(NamedTuple):
    name: str
    fingerprint: Fingerprint
    path: str
    who: str
    body: dict[str, Any]


def event_type(stage: str, name: str) -> str:
    return f"io.tollgate.{stage}.{name}.v1"


def proposal(title: str) -> Step:
    fp = Fingerprint("ideation", event_type("ideation", "idea_proposed"), field=("title", title))
    body = {
        "title": title,
        "problem_statement": "Invoices are routed by hand.",
        "business_goal": "Halve routing time.",
        "sponsor": "CFO",
        "owner": "owner",
        "team": ["ana"],
        "tags": ["chaos"],
    }
    return Step("propose", fp, "/initiatives", "contributor", body)


def ideation_steps(iid: str) -> list[Step]:
    """The G1 work, the review request and the committee's go, naming its gate."""
    base, tag = f"/initiatives/{iid}", uuid.uuid4().hex[:12]

    def fp(name: str, by: tuple[str, str] | None = None) -> Fingerprint:
        return Fingerprint("ideation", event_type("ideation", name), iid, by)

    decision: dict[str, Any] = {
        "gate": "G1", "decision": "go", "rationale": "Worth a PoC.", "vote_id": tag,
    }  # fmt: skip
    workshop = {
        "workshop_id": tag,
        "held_on": "2026-01-15",
        "participants": ["ana"],
        "outcome": "Worth a PoC",
    }
    score = {"value": 5, "feasibility": 4, "risk": 2, "strategic_fit": 4}
    return [
        Step(
            "workshop",
            fp("workshop_held", ("workshop_id", tag)),
            f"{base}/ideation/workshops",
            "contributor",
            workshop,
        ),
        Step("score", fp("idea_scored"), f"{base}/ideation/scores", "owner", score),
        Step(
            "sourcing",
            fp("sourcing_decided"),
            f"{base}/ideation/sourcing",
            "contributor",
            {"sourcing": "build", "rationale": "Our data."},
        ),
        Step(
            "risk",
            fp("risk_preclassified"),
            f"{base}/ideation/risk",
            "contributor",
            {"risk_class": "limited", "rationale": "Assists clerks only."},
        ),
        Step("review", fp("gate_review_requested"), f"{base}/gate-reviews", "owner", {}),
        Step(
            "decide",
            fp("gate_vote_cast", ("vote_id", tag)),
            f"{base}/gate-decisions",
            "committee",
            decision,
        ),
    ]


def data_source(iid: str) -> Step:
    source = uuid.uuid4().hex[:12]
    fp = Fingerprint("poc", event_type("poc", "data_source_confirmed"), iid, ("source_id", source))
    body = {"source_id": source, "name": "ERP invoices"}
    return Step("poc-data-source", fp, f"/initiatives/{iid}/poc/data-sources", "contributor", body)


async def journey(client: Client, title: str) -> None:
    """Propose, record the G1 work, request the review, decide go, work in the PoC."""
    idea = await client.command(*proposal(title))
    if not idea.acknowledged or "id" not in idea.reply:
        return
    for step in ideation_steps(idea.reply["id"]):
        if not (await client.command(*step)).acknowledged:
            return
    for attempt in range(REATTEMPTS):  # a definite 404/409 "not open yet": a new command
        sent = await client.command(*data_source(idea.reply["id"]))
        if sent.status not in (404, 409):
            return
        await asyncio.sleep(0.5 * (attempt + 1))


async def run_load(
    url: str,
    tokens: dict[str, str],
    *,
    clients: int,
    journeys: int,
    seconds: float,
) -> list[Sent]:
    """`clients` clients, each starting up to `journeys` journeys spread over `seconds`;
    none starts after that (a slow stack gets fewer). Returns the ledger of every command."""
    ledger: list[Sent] = []
    began = time.monotonic()
    pace = seconds / journeys

    async def one(c: int) -> None:
        client = Client(url, tokens, ledger)
        try:
            for j in range(journeys):
                start = began + j * pace + c * pace / clients
                await asyncio.sleep(max(0.0, start - time.monotonic()))
                if time.monotonic() > began + seconds:  # late journeys are dropped
                    return
                await journey(client, f"chaos c{c} j{j} {uuid.uuid4().hex[:8]}")
        finally:
            await client.close()

    await asyncio.gather(*(one(c) for c in range(clients)))
    return ledger
