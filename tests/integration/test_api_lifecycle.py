"""One initiative from idea to launch through HTTP, against every service as a real process:
every stage's records, a refused go, a recycle, a conditional go and its condition, a
hold and resume, quorum votes, launch, and a second initiative that is killed. After
each step the GET endpoints (with min_position) show the change."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import pytest
from cloudevents.core.formats.json import JSONFormat

from tests.integration.api_stack import Api, api

pytestmark = pytest.mark.asyncio(loop_scope="session")
__all__ = ["api"]

IDEA = {
    "title": "Invoice triage", "problem_statement": "Invoices are routed by hand.",
    "business_goal": "Halve routing time.", "sponsor": "CFO", "owner": "owner",
    "team": ["ana", "ben"], "ai_category": "classification", "tags": ["finance"],
}  # fmt: skip


async def settled(
    api: Api, iid: str, stage: str, status: str, within: float = 20
) -> dict[str, Any]:
    """The initiative once the read models show it in `stage` with `status` and the stage's
    service has opened it (a handoff happens asynchronously, through that service's consumer)."""
    deadline = time.monotonic() + within
    opened = f"io.tollgate.{stage}.{stage}_opened.v1"
    while True:
        detail = await api.state(iid, None)
        summary = detail["summary"]
        types = [e["type"] for e in (await api.get(f"/initiatives/{iid}/events")).json()]
        if (summary["stage"], summary["status"]) == (stage, status) and opened in types:
            return detail
        if time.monotonic() > deadline:
            raise AssertionError(
                f"{iid} is {summary['stage']}/{summary['status']}, not {stage}/{status}"
            )
        await asyncio.sleep(0.1)


async def step(api: Api, path: str, who: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
    return await api.ok(path, who, body)


async def summary_after(api: Api, iid: str, reply: dict[str, Any]) -> dict[str, Any]:
    summary: dict[str, Any] = (await api.state(iid, reply.get("position")))["summary"]
    return summary


async def test_an_initiative_goes_from_idea_to_launch_through_every_gate(api: Api):
    created = await step(api, "/initiatives", "contributor", IDEA)
    iid = created["id"]
    assert created["version"] == 1 and created["position"] >= 1
    assert (await summary_after(api, iid, created))["stage"] == "ideation"

    await ideation(api, iid)
    await poc(api, iid)
    await pilot(api, iid)
    await mvp(api, iid)
    await launched(api, iid)
    await timeline_is_cloudevents(api, iid)


async def ideation(api: Api, iid: str) -> None:
    base = f"/initiatives/{iid}/ideation"
    await step(
        api,
        f"{base}/workshops",
        "contributor",
        {"held_on": "2026-01-15", "participants": ["ana", "ben"], "outcome": "Worth a PoC"},
    )
    await step(
        api,
        f"{base}/scores",
        "owner",
        {"value": 5, "feasibility": 4, "risk": 2, "strategic_fit": 4},
    )
    await step(
        api,
        f"{base}/sourcing",
        "contributor",
        {"sourcing": "build", "rationale": "Our data, our model."},
    )
    reply = await step(
        api,
        f"{base}/risk",
        "contributor",
        {"risk_class": "limited", "rationale": "Assists clerks only."},
    )
    readiness = (
        await api.get(f"/initiatives/{iid}/readiness", min_position=reply["position"])
    ).json()
    assert readiness["gate"] == "G1" and readiness["must_met"] is True

    reply = await step(api, f"/initiatives/{iid}/gate-reviews", "owner")
    assert (await summary_after(api, iid, reply))["status"] == "in_review"
    queue = (await api.get("/reviews", min_position=reply["position"])).json()
    assert iid in [item["initiative_id"] for item in queue]

    reply = await step(
        api,
        f"/initiatives/{iid}/gate-decisions",
        "committee",
        {
            "decision": "conditional_go",
            "rationale": "Promising; check data protection.",
            "conditions": [{"condition_id": "dpo", "text": "Data protection officer signs off"}],
        },
    )
    assert len(reply["event_ids"]) == 2  # G1 quorum is 1: the vote is the decision
    detail = await settled(api, iid, "poc", "active")
    assert detail["summary"]["last_decision"]["decision"] == "conditional_go"


async def poc(api: Api, iid: str) -> None:
    base = f"/initiatives/{iid}/poc"
    hyp = await step(
        api,
        f"{base}/hypotheses",
        "contributor",
        {
            "statement": "The model routes invoices well",
            "metric": "accuracy",
            "comparator": ">=",
            "threshold": 0.9,
        },
    )
    hid = hyp["record_id"]
    await step(api, f"{base}/data-sources", "contributor", {"name": "ERP invoices 2025"})
    await step(
        api,
        f"{base}/model",
        "contributor",
        {"choice": "gradient boosting", "rationale": "Tabular data."},
    )
    await step(
        api,
        f"{base}/risk",
        "contributor",
        {"risk_class": "limited", "rationale": "Confirmed with legal."},
    )
    # a go while a hypothesis has no result and the condition is open: refused, listed
    await step(api, f"/initiatives/{iid}/gate-reviews", "owner")
    refused = await api.post(
        f"/initiatives/{iid}/gate-decisions",
        "committee",
        {"decision": "go", "rationale": "Looks fine"},
    )
    assert refused.status_code == 409, refused.text
    problem = refused.json()
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert "Every hypothesis has a result" in problem["unmet"]
    assert any("Conditions" in u for u in problem["unmet"])
    # recycle: back to rework in the same stage
    reply = await step(
        api,
        f"/initiatives/{iid}/gate-decisions",
        "committee",
        {"decision": "recycle", "rationale": "Finish the experiments first."},
    )
    summary = await summary_after(api, iid, reply)
    assert (summary["stage"], summary["status"]) == ("poc", "active")

    await step(
        api,
        f"{base}/hypotheses/{hid}/results",
        "contributor",
        {"value": 0.94, "evidence_link": "https://wiki/exp-1"},
    )
    reply = await step(
        api, f"/initiatives/{iid}/conditions/dpo/fulfil", "owner", {"evidence": "DPO memo 2026-02"}
    )
    detail = await api.state(iid, reply["position"])
    assert "dpo" in detail["gates"]["fulfilled"]
    await step(api, f"/initiatives/{iid}/gate-reviews", "owner")
    await step(
        api,
        f"/initiatives/{iid}/gate-decisions",
        "committee",
        {"decision": "go", "rationale": "Validated."},
    )
    await settled(api, iid, "pilot", "active")


async def pilot(api: Api, iid: str) -> None:
    base = f"/initiatives/{iid}/pilot"
    await step(
        api,
        f"{base}/scope",
        "contributor",
        {"user_group": "AP clerks", "sites": ["Berlin"], "planned_weeks": 8},
    )
    await step(
        api,
        f"{base}/kpis",
        "contributor",
        {
            "kpi_id": "minutes",
            "name": "Minutes per invoice",
            "unit": "min",
            "baseline": 10,
            "target": 5,
            "direction": "lower",
            "importance": "must",
        },
    )
    for value in (6.0, 4.5, 4.0):
        reply = await step(
            api,
            f"/initiatives/{iid}/kpis/minutes/measurements",
            "agent",
            {"value": value, "source": "erp"},
        )
    metrics = (await api.state(iid, reply["position"]))["metrics"]
    assert metrics and metrics[0]["kpi_id"] == "minutes"
    await step(
        api,
        f"{base}/oversight",
        "contributor",
        {
            "override_by": ["AP lead"],
            "decision_boundaries": "Invoices under 10k EUR",
            "escalation_path": "AP lead, then CFO",
            "accountable": "AP lead",
        },
    )
    await step(
        api, f"{base}/feedback", "contributor", {"summary": "Saves time", "sentiment": "positive"}
    )
    inc = await step(
        api, f"{base}/incidents", "contributor", {"title": "Wrong cost centre", "severity": "low"}
    )
    await step(
        api, f"{base}/incidents/{inc['record_id']}/status", "contributor", {"status": "resolved"}
    )

    # hold at G3 (two votes), then resume into the same stage
    await step(api, f"/initiatives/{iid}/gate-reviews", "owner")
    first = await step(
        api,
        f"/initiatives/{iid}/gate-decisions",
        "committee",
        {"decision": "hold", "rationale": "Budget freeze."},
    )
    assert len(first["event_ids"]) == 1  # one vote of two
    assert (await summary_after(api, iid, first))["status"] == "in_review"
    second = await step(
        api,
        f"/initiatives/{iid}/gate-decisions",
        "committee2",
        {"decision": "hold", "rationale": "Agreed."},
    )
    assert len(second["event_ids"]) == 2
    assert (await summary_after(api, iid, second))["status"] == "on_hold"
    resumed = await step(api, f"/initiatives/{iid}/resume", "owner", {"reason": "Budget back"})
    summary = await summary_after(api, iid, resumed)
    assert (summary["stage"], summary["status"]) == ("pilot", "active")

    await step(api, f"/initiatives/{iid}/gate-reviews", "owner")
    await step(
        api,
        f"/initiatives/{iid}/gate-decisions",
        "committee",
        {"decision": "go", "rationale": "On target."},
    )
    await step(
        api,
        f"/initiatives/{iid}/gate-decisions",
        "committee2",
        {"decision": "go", "rationale": "Agreed."},
    )
    await settled(api, iid, "mvp", "active")


async def mvp(api: Api, iid: str) -> None:
    base = f"/initiatives/{iid}/mvp"
    for kind in ("model_card", "runbook"):
        await step(
            api,
            f"{base}/documents",
            "agent",
            {"kind": kind, "link": f"https://wiki/{kind}", "author": "kpi-bot"},
        )
    await step(
        api,
        f"{base}/monitoring",
        "contributor",
        {
            "metrics": [
                {"name": "accuracy", "threshold": 0.9},
                {"name": "latency", "threshold": 2},
            ],
            "owner": "AP lead",
        },
    )
    await step(
        api, f"{base}/checklist", "contributor", {"items": [{"item": "Go-live plan", "done": True}]}
    )
    await step(api, f"/initiatives/{iid}/kpis/minutes/measurements", "contributor", {"value": 3.8})
    await step(api, f"/initiatives/{iid}/gate-reviews", "owner")
    await step(
        api,
        f"/initiatives/{iid}/gate-decisions",
        "committee",
        {"decision": "go", "rationale": "Ready."},
    )
    reply = await step(
        api,
        f"/initiatives/{iid}/gate-decisions",
        "committee2",
        {"decision": "go", "rationale": "Ready."},
    )
    summary = await summary_after(api, iid, reply)
    assert summary["status"] == "launched"


async def launched(api: Api, iid: str) -> None:
    reply = await step(
        api,
        f"/initiatives/{iid}/kpis/minutes/measurements",
        "agent",
        {"value": 9.0, "source": "production"},
    )
    events = (await api.get(f"/initiatives/{iid}/events", min_position=reply["position"])).json()
    types = [e["type"] for e in events]
    assert "io.tollgate.production.kpi_measured.v1" in types, (reply, types[-6:])
    assert "io.tollgate.production.kpi_breached.v1" in types
    portfolio = (await api.get("/portfolio", min_position=reply["position"])).json()
    assert portfolio["per_status"].get("launched", 0) >= 1
    listing = (await api.get("/initiatives", status="launched", q="invoice")).json()
    assert iid in [item["initiative_id"] for item in listing["items"]]
    await re_reviewed(api, iid, reply["position"])


async def re_reviewed(api: Api, iid: str, position: int) -> None:
    """The breach asks the committee again: it appears in the queue; go keeps it running."""
    queue = (await api.get("/reviews", min_position=position)).json()
    item = next(i for i in queue if i["initiative_id"] == iid)
    assert (item["kind"], item["stage"]) == ("re_review", "production")
    assert "misses its target" in item["reason"]
    hold = await api.post(f"/initiatives/{iid}/gate-decisions", "committee",
                          {"decision": "hold", "rationale": "wait"})  # fmt: skip
    assert hold.status_code == 422 and "go (keep it running)" in hold.json()["detail"]
    agent = await api.post(f"/initiatives/{iid}/gate-decisions", "agent_committee",
                           {"decision": "kill", "rationale": "stop"})  # fmt: skip
    assert agent.status_code == 403
    reply = await step(api, f"/initiatives/{iid}/gate-decisions", "committee",
                       {"decision": "go", "rationale": "A seasonal dip"})  # fmt: skip
    queue = (await api.get("/reviews", min_position=reply["position"])).json()
    assert iid not in [i["initiative_id"] for i in queue]
    summary = await summary_after(api, iid, reply)
    assert summary["status"] == "launched" and summary["re_review"] is None


async def timeline_is_cloudevents(api: Api, iid: str) -> None:
    response = await api.get(f"/initiatives/{iid}/events")
    import json

    events = [JSONFormat().read(None, json.dumps(e)) for e in response.json()]
    assert all(e.get_subject() == iid for e in events)
    by_agent = [e for e in response.json() if e["actor"] == "agent"]  # the agent user's work
    assert by_agent and all(e["actorkind"] == "agent" for e in by_agent)
    by_people = [e for e in response.json() if e["actor"] in ("owner", "committee")]
    assert by_people and all(e.get("actorkind", "person") == "person" for e in by_people)
    handoffs = [e for e in response.json() if e["actor"] == "system"]  # the stages opened
    assert handoffs and all(e["actorkind"] == "system" for e in handoffs)


async def test_a_killed_initiative_takes_no_more_work(api: Api):
    iid = (await step(api, "/initiatives", "owner", IDEA))["id"]
    await step(api, f"/initiatives/{iid}/gate-reviews", "owner")
    reply = await step(
        api,
        f"/initiatives/{iid}/gate-decisions",
        "committee",
        {"decision": "kill", "rationale": "Duplicate of another initiative."},
    )
    assert (await summary_after(api, iid, reply))["status"] == "killed"
    late = await api.post(
        f"/initiatives/{iid}/ideation/scores",
        "owner",
        {"value": 3, "feasibility": 3, "risk": 3, "strategic_fit": 3},
    )
    assert late.status_code == 409, late.text
    assert "killed" in late.json()["detail"]
