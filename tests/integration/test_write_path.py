"""The write path stands on its own, against every service as a real process: commands are
routed by the stage services (not the read models), votes name their gate, a transaction
elsewhere on the server never delays a handoff, and a long writing transaction in
Tollgate's own database shows as a stalled relay."""

from __future__ import annotations

import asyncio
import time
import uuid
from typing import Any

import pytest

from infra.db import connect
from infra.settings import Settings
from tests.integration.api_stack import Api, api
from tests.integration.bus import eventually

pytestmark = pytest.mark.asyncio(loop_scope="session")
__all__ = ["api"]

IDEA = {
    "title": "Claims triage", "problem_statement": "Claims wait days for a first look.",
    "business_goal": "First look within an hour.", "sponsor": "COO", "owner": "owner",
}  # fmt: skip
G1_WORK = [
    ("ideation/scores", "owner", {"value": 4, "feasibility": 4, "risk": 2, "strategic_fit": 4}),
    ("ideation/sourcing", "contributor", {"sourcing": "buy", "rationale": "A vendor has it."}),
    ("ideation/risk", "contributor", {"risk_class": "minimal", "rationale": "Internal only."}),
]
GO = {"gate": "G1", "decision": "go", "rationale": "Clear value."}


async def ready_for_g1(api: Api) -> str:
    iid: str = (await api.ok("/initiatives", "contributor", IDEA))["id"]
    for path, who, body in G1_WORK:
        await api.ok(f"/initiatives/{iid}/{path}", who, body)
    await api.ok(f"/initiatives/{iid}/gate-reviews", "owner")
    return iid


async def poc_is_open(api: Api, iid: str) -> bool:
    """The PoC service itself says so: it accepts PoC work (no read model involved)."""
    reply = await api.post(
        f"/initiatives/{iid}/poc/data-sources", "contributor", {"name": "Claims 2025"}
    )
    return reply.status_code == 201


async def test_with_the_projection_stopped_every_command_is_routed_and_accepted(api: Api):
    await api.stack.stop("projection")
    try:
        iid = await ready_for_g1(api)
        go = await api.ok(f"/initiatives/{iid}/gate-decisions", "committee", GO)
        assert len(go["event_ids"]) == 2
        await eventually(lambda: poc_is_open(api, iid), timeout=5, what="the PoC to open")
        review = await api.ok(f"/initiatives/{iid}/gate-reviews", "owner")
        again = await api.ok(f"/initiatives/{iid}/gate-reviews", "owner")  # changes nothing
        assert not again.get("event_ids")
        assert (again["version"], again["position"]) == (review["version"], review["position"])
    finally:
        await api.stack.start("projection")
    summary = (await api.state(iid, review["position"]))["summary"]
    assert (summary["stage"], summary["status"]) == ("poc", "in_review")


async def test_a_vote_for_a_gate_that_is_not_under_review_is_a_409_naming_the_current_one(
    api: Api,
):
    iid = await ready_for_g1(api)
    await api.ok(f"/initiatives/{iid}/gate-decisions", "committee", GO)
    await eventually(lambda: poc_is_open(api, iid), timeout=5, what="the PoC to open")
    await api.ok(f"/initiatives/{iid}/gate-reviews", "owner")
    stale = await api.post(f"/initiatives/{iid}/gate-decisions", "committee", GO)
    assert stale.status_code == 409, stale.text
    assert "G2" in stale.json()["detail"] and "G1" in stale.json()["detail"]
    wrong = {**GO, "gate": "G3"}
    assert (
        await api.post(f"/initiatives/{iid}/gate-decisions", "committee", wrong)
    ).status_code == 409


async def test_a_transaction_open_in_another_database_does_not_delay_a_handoff(
    api: Api, settings: Settings
):
    other = f"tollgate_other_{uuid.uuid4().hex[:8]}"
    admin = await connect(settings.database_url)
    await admin.execute(f"CREATE DATABASE {other}")
    holder = await connect(database(settings.database_url, other))
    blocking = holder.transaction()
    await blocking.start()
    await holder.fetchval("SELECT pg_current_xact_id()")  # holds an xid: the server's xmin
    try:
        iid = await ready_for_g1(api)
        await api.ok(f"/initiatives/{iid}/gate-decisions", "committee", GO)
        started = time.monotonic()
        await eventually(lambda: poc_is_open(api, iid), timeout=10, what="the PoC to open")
        assert time.monotonic() - started < 2.0
    finally:
        await blocking.rollback()
        await holder.close()
        await admin.execute(f"DROP DATABASE {other} WITH (FORCE)")
        await admin.close()


def database(url: str, name: str) -> str:
    base, _, query = url.partition("?")
    return base.rsplit("/", 1)[0] + f"/{name}" + (f"?{query}" if query else "")


async def relay_check(api: Api) -> dict[str, Any]:
    response = await api.http.get(f"{api.url}/health")
    check: dict[str, Any] = response.json()["checks"]["relay"]
    return check


async def test_a_long_writing_transaction_in_tollgates_database_shows_the_relay_stalled(
    api: Api, settings: Settings
):
    holder = await connect(settings.database_url)
    blocking = holder.transaction()
    await blocking.start()
    await holder.fetchval("SELECT pg_current_xact_id()")
    try:

        async def stalled() -> bool:
            return not (await relay_check(api))["ok"]

        await eventually(stalled, timeout=20, what="the relay to show as stalled")
        check = await relay_check(api)
        assert "stalled" in check["detail"] and "open for" in check["detail"]
        metrics = (await api.http.get(f"{api.url}/metrics", headers=api.headers("admin"))).text
        assert "tollgate_relay_blocked_seconds" in metrics
    finally:
        await blocking.rollback()
        await holder.close()
    await eventually(lambda: _ok(api), timeout=5, what="the relay to recover")


async def _ok(api: Api) -> bool:
    await asyncio.sleep(0)
    return bool((await relay_check(api))["ok"])
