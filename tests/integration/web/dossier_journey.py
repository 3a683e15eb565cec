"""One initiative's journey through ideation, PoC and pilot into the MVP over the HTTP API,
with every stage record of PRODUCT.md section 2: for the dossier's page and browser tests.
Holds no tests itself. `api` is anything with `do(path, who, body)` (a POST that must
succeed, returning its JSON) and `opened(iid, stage)` (wait until the stage opened)."""

from __future__ import annotations

from typing import Any, Protocol


class Client(Protocol):
    async def do(self, path: str, who: str, body: Any = None) -> Any: ...
    async def opened(self, iid: str, stage: str, within: float = 20) -> None: ...


IDEA = {
    "title": "Chiller energy advisor",
    "problem_statement": "The chillers run flat out at night.",
    "business_goal": "Cut chiller energy by 15 percent.",
    "sponsor": "COO",
    "owner": "olivia",
    "team": ["carlos", "Dana Field"],
    "ai_category": "optimization",
    "tags": ["energy"],
}
ENERGY = {
    "kpi_id": "energy",
    "name": "Energy use",
    "unit": "MWh/month",
    "baseline": 120,
    "target": 102,
    "direction": "lower",
    "importance": "must",
}
CONDITION = [{"condition_id": "dpo", "text": "Works council informed"}]
MEASURED = "3 of 3 measurements of Energy use, latest 100.2 MWh/month, target 102, lower is better"


async def ideation(api: Client, iid: str) -> None:
    base = f"/initiatives/{iid}/ideation"
    await api.do(
        f"{base}/workshops",
        "carlos",
        {
            "held_on": "2026-01-15",
            "participants": ["Dana Field", "carlos"],
            "outcome": "Night setback first",
        },
    )
    await api.do(
        f"{base}/scores", "olivia", {"value": 4, "feasibility": 3, "risk": 2, "strategic_fit": 4}
    )
    await api.do(
        f"{base}/sourcing",
        "carlos",
        {"sourcing": "partner", "rationale": "The chiller vendor has the data."},
    )
    await api.do(
        f"{base}/risk", "carlos", {"risk_class": "limited", "rationale": "Advises operators only."}
    )


async def decide(api: Client, iid: str, *voters: str, decision: str = "go", **extra: Any) -> Any:
    reply = None
    for voter in voters:
        reply = await api.do(
            f"/initiatives/{iid}/gate-decisions",
            voter,
            {"decision": decision, "rationale": f"{voter} agrees", **extra},
        )
    return reply


async def poc(api: Client, iid: str) -> None:
    base = f"/initiatives/{iid}/poc"
    hyp = await api.do(
        f"{base}/hypotheses",
        "carlos",
        {
            "statement": "Night setback saves energy",
            "metric": "saving %",
            "comparator": ">=",
            "threshold": 10,
        },
    )
    for value in (8, 14.5):
        await api.do(
            f"{base}/hypotheses/{hyp['record_id']}/results",
            "carlos",
            {"value": value, "evidence_link": f"https://wiki/exp-{value}"},
        )
    await api.do(
        f"{base}/data-sources",
        "carlos",
        {"name": "BMS trend logs", "description": "15-minute readings"},
    )
    await api.do(
        f"{base}/model",
        "carlos",
        {"choice": "gradient boosting", "rationale": "Tabular sensor data."},
    )
    await api.do(
        f"{base}/risk", "carlos", {"risk_class": "limited", "rationale": "Confirmed with legal."}
    )


async def pilot(api: Client, iid: str) -> Any:
    base = f"/initiatives/{iid}/pilot"
    await api.do(
        f"{base}/scope",
        "carlos",
        {"user_group": "Night operators", "sites": ["Hall 3", "Hall 4"], "planned_weeks": 8},
    )
    await api.do(f"{base}/kpis", "carlos", ENERGY)
    for value in (110, 104, 100.2):
        await api.do(
            f"/initiatives/{iid}/kpis/energy/measurements",
            "carlos",
            {"value": value, "source": "BMS"},
        )
    await api.do(
        f"{base}/oversight",
        "carlos",
        {
            "override_by": ["Shift lead"],
            "decision_boundaries": "Setpoints within 2 K",
            "escalation_path": "Shift lead, then facility manager",
            "accountable": "Facility manager",
        },
    )
    inc = await api.do(
        f"{base}/incidents", "carlos", {"title": "Setpoint overshoot", "severity": "high"}
    )
    await api.do(
        f"{base}/incidents/{inc['record_id']}/status",
        "carlos",
        {"status": "resolved", "note": "Clamped the range"},
    )
    return await api.do(
        f"{base}/feedback",
        "carlos",
        {"summary": "Operators like the hints", "sentiment": "positive"},
    )


async def mvp(api: Client, iid: str) -> Any:
    base = f"/initiatives/{iid}/mvp"
    for kind, author in (("model_card", "carlos"), ("runbook", "carlos"), ("runbook", "olivia")):
        await api.do(
            f"{base}/documents",
            "carlos",
            {"kind": kind, "author": author, "link": f"https://wiki/{kind}/{author}"},
        )
    await api.do(
        f"{base}/monitoring",
        "carlos",
        {"owner": "Facility manager", "metrics": [{"name": "drift", "threshold": 0.2}]},
    )
    return await api.do(
        f"{base}/checklist",
        "carlos",
        {
            "items": [
                {"item": "Operator training", "done": True},
                {"item": "Rollback plan", "done": False},
            ]
        },
    )


async def to_the_mvp(api: Client) -> tuple[str, Any]:
    """Propose, work and pass G1, G2 and G3 (a conditional go, its condition fulfilled),
    then record the MVP's work: the initiative id and the last reply."""
    iid = (await api.do("/initiatives", "olivia", IDEA))["id"]
    await ideation(api, iid)
    await api.do(f"/initiatives/{iid}/gate-reviews", "olivia")
    await decide(api, iid, "clara")
    await api.opened(iid, "poc")
    await poc(api, iid)
    await api.do(f"/initiatives/{iid}/gate-reviews", "olivia")
    await decide(api, iid, "clara")
    await api.opened(iid, "pilot")
    await pilot(api, iid)
    await api.do(f"/initiatives/{iid}/gate-reviews", "olivia")
    await decide(api, iid, "clara", "conrad", decision="conditional_go", conditions=CONDITION)
    await api.opened(iid, "mvp")
    await api.do(f"/initiatives/{iid}/conditions/dpo/fulfil", "olivia", {"evidence": "Minutes 12"})
    return iid, await mvp(api, iid)
