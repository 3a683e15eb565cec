"""An agent's own history in words, from its events in the timeline (its stream id is the
timeline's `initiative_id`): policy versions, screened actions, approvals, sponsor,
attestations, suspensions."""

from __future__ import annotations

from datetime import datetime

import msgspec

from events import agents as a
from events.envelope import CloudEvent
from infra.db import Pool
from services.projection.store import SCHEMA

_CLOUDEVENT = msgspec.json.Decoder(CloudEvent)


class Entry(msgspec.Struct, frozen=True, kw_only=True):
    at: datetime
    actor: str
    actorkind: str
    text: str


def words(e: a.AnyAgentEvent, titles: dict[str, str] | None = None) -> str:
    """The event in words; `titles` names the initiatives (by id) where they are known."""
    named = titles or {}

    def on(initiative_id: str) -> str:
        return f"“{named[initiative_id]}”" if initiative_id in named else initiative_id

    match e:
        case a.PolicySet():
            rules = f"{len(e.policy.rules)} rules, otherwise {e.policy.otherwise}"
            return f"Policy version {e.version} set ({rules})"
        case a.ActionAllowed():
            return f"Allowed: {_act(e.action)} on {on(e.initiative_id)} ({e.rule})"
        case a.ActionHeld():
            return f"Held for {e.approver.label()}: {_act(e.action)} on {on(e.initiative_id)}"
        case a.ActionRefused():
            return f"Refused: {_act(e.action)} on {on(e.initiative_id)} ({e.reason})"
        case a.ActionEscalated():
            return f"Refusal escalated to {e.to or 'the admins'}"
        case a.ActionApproved():
            return (
                f"Draft approved by {e.approved_by}: sent to the {e.stage} of {on(e.initiative_id)}"
            )
        case a.ActionRejected():
            return f"Draft rejected by {e.rejected_by}" + (f": {e.reason}" if e.reason else "")
        case a.SponsorAssigned():
            return f"Sponsor: {e.sponsor}"
        case a.AgentAttested():
            return f"Attested by {e.attested_by} until {e.valid_until:%Y-%m-%d}"
        case a.AgentSuspended():
            return f"Suspended: {e.reason} ({len(e.initiatives)} initiatives worked on)"
        case a.AgentReinstated():
            return f"Reinstated by {e.reinstated_by}" + (f": {e.reason}" if e.reason else "")


def _act(action: str) -> str:
    return action.replace("-", " ")


async def history(pool: Pool, agent_id: str, limit: int = 50) -> list[Entry]:
    """Newest first."""
    rows = await pool.fetch(
        f"SELECT body FROM {SCHEMA}.timeline WHERE initiative_id = $1"
        " AND type LIKE 'io.tollgate.agents.%'"
        " ORDER BY seq DESC LIMIT $2",
        agent_id,
        limit,
    )
    decoded = []
    for row in rows:
        ce = _CLOUDEVENT.decode(bytes(row["body"]))
        try:
            decoded.append((ce, a.EVENT_DECODER.decode(ce.data)))
        except msgspec.ValidationError:  # a later version of an event: not ours to say
            continue
    ids = list({i for _, e in decoded if (i := getattr(e, "initiative_id", None))})
    found = await pool.fetch(
        f"SELECT initiative_id, title FROM {SCHEMA}.initiatives WHERE initiative_id = ANY($1)",
        ids,
    )
    titles: dict[str, str] = {r["initiative_id"]: r["title"] for r in found}
    return [Entry(at=ce.time, actor=ce.actor, actorkind=ce.actorkind, text=words(e, titles))
            for ce, e in decoded]  # fmt: skip
