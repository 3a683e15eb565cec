"""An agent's account follows its suspension (PRODUCT.md section 9): the kill switch
deactivates it in its own request (api.agents), but the agents service's sweeper suspends a
lapsed agent with no request at all. The notifier's consumer, which reads every event in a
transaction on the API's database, deactivates the account on `agent_suspended` and
activates it on `agent_reinstated`; the users trigger (api/006) then tells every API process
to forget the tokens it kept. Only while the read models (which have applied the event) still
show the agent so: a reinstatement the API made since is never undone by an older suspension.
A repeat changes nothing."""

from __future__ import annotations

from events.base import type_parts
from events.envelope import CloudEvent
from infra.db import Connection, Pool
from services.projection import agents_queries

FOLLOWED = {"agent_suspended": False, "agent_reinstated": True}  # event -> active


def followed(event: CloudEvent) -> bool | None:
    """Whether the account becomes active after this event; None for any other event."""
    try:
        category, name, _ = type_parts(event.type)
    except ValueError:
        return None
    return FOLLOWED.get(name) if category == "agents" else None


async def follow(conn: Connection, reads: Pool, event: CloudEvent) -> None:
    active = followed(event)
    if active is None:
        return
    now = await agents_queries.agent(reads, event.subject)
    if now is None or (now.status == "active") != active:
        return  # the agent was reinstated or suspended again since: that event decides
    await conn.execute(
        "UPDATE api.users SET active = $2 WHERE name = $1 AND kind = 'agent' AND active <> $2",
        event.subject,
        active,
    )
