"""Gate review requests, the committee's review queue and decision form (validation,
refusal, quorum), conditions, hold and resume, and the later stages' forms."""

from __future__ import annotations

import pytest

from tests.integration.web.site import Site, errors, flashes, site

pytestmark = pytest.mark.asyncio(loop_scope="session")
__all__ = ["site"]

G1 = {
    "score": {"value": "4", "feasibility": "4", "risk": "2", "strategic_fit": "5"},
    "sourcing": {"sourcing": "build", "rationale": "Core to the business"},
    "risk": {"risk_class": "limited", "rationale": "Assists people; no legal effect"},
}


async def ready_for_g1(site: Site, title: str) -> str:
    await site.as_("olivia")
    iid = await site.propose(title=title)
    for key, data in G1.items():
        await site.work(iid, key, data)
    return iid


async def request_review(site: Site, iid: str) -> None:
    await site.as_("olivia")
    r = await site.post(f"/initiatives/{iid}/gate-review")
    assert r.status_code == 200 and "Gate review requested." in flashes(r.text)


async def decide(site: Site, who: str, iid: str, decision: str, conditions: str = "") -> str:
    await site.as_(who)
    data = {"decision": decision, "rationale": f"{who} says {decision}", "conditions": conditions}
    r = await site.post(f"/reviews/{iid}/decision", data)
    assert r.status_code == 200 and "is recorded" in r.text, errors(r.text) or flashes(r.text)
    return r.text


async def test_the_committee_decides_g1_from_the_queue_and_the_poc_opens(site: Site):
    iid = await ready_for_g1(site, "Through G1")
    r = await site.get(f"/initiatives/{iid}")
    assert "every must-meet criterion is met" in r.text and "Request G1 review" in r.text
    await request_review(site, iid)
    await site.as_("clara")
    queue = await site.get("/reviews")
    item = queue.text.split(f'id="review-{iid}"')[1].split("</article>")[0]
    assert "Through G1</a>: G1" in item and "No votes yet: one vote decides" in item
    assert "Every must-meet criterion is met." in item and 'name="rationale"' in item
    text = await decide(site, "clara", iid, "go")
    assert f'id="review-{iid}"' not in text
    await site.as_("carlos")
    page = await site.opened(iid, "poc")
    assert ">PoC<" in page and 'id="form-hypothesis"' in page and 'id="form-score"' not in page
    assert "by <strong>Tollgate (automatic)</strong>" in page  # the handoff, not an agent
    assert 'Tollgate (automatic)</strong> <span class="badge' not in page
    board = (await site.get("/")).text
    assert f'id="card-{iid}"' in board.split('data-stage="poc"')[1].split('data-stage="pilot"')[0]


async def test_the_decision_form_shows_its_errors_next_to_the_fields(site: Site):
    iid = await ready_for_g1(site, "Bad decisions")
    await request_review(site, iid)
    await site.as_("clara")
    d = f"d-{iid[:8]}"
    r = await site.post(f"/reviews/{iid}/decision", {"decision": "", "rationale": ""})
    assert errors(r.text) == {f"{d}-decision": "Enter the decision",
                              f"{d}-rationale": "Enter the rationale"}  # fmt: skip
    r = await site.post(f"/reviews/{iid}/decision", {"decision": "conditional_go",
                                                      "rationale": "ok"})  # fmt: skip
    assert errors(r.text) == {f"{d}-conditions": "A conditional go needs at least one condition"}
    r = await site.post(f"/reviews/{iid}/decision", {"decision": "maybe", "rationale": "ok"})
    assert errors(r.text)[f"{d}-decision"].startswith("Choose one of: go, conditional_go")


async def test_a_go_with_unmet_criteria_is_refused_with_the_list(site: Site):
    await site.as_("olivia")
    iid = await site.propose(title="Not ready")
    await request_review(site, iid)
    await site.as_("clara")
    r = await site.post(f"/reviews/{iid}/decision", {"decision": "go", "rationale": "rush"})
    assert r.status_code == 200
    assert any("go refused" in f and "Idea scored" in f for f in flashes(r.text)), flashes(r.text)
    assert f'id="review-{iid}"' in r.text  # still waiting


async def test_only_people_on_the_committee_see_and_use_the_decision_form(site: Site):
    iid = await ready_for_g1(site, "Who decides")
    await request_review(site, iid)
    for who in ("vera", "olivia", "bot"):
        await site.as_(who)
        assert f'action="/reviews/{iid}/decision"' not in (await site.get("/reviews")).text
        r = await site.post(f"/reviews/{iid}/decision", {"decision": "go", "rationale": "x"})
        assert r.status_code == 403, who
    assert "agents never decide" in r.text


async def test_hold_then_resume_brings_the_initiative_back(site: Site):
    iid = await ready_for_g1(site, "Parked")
    await request_review(site, iid)
    await decide(site, "clara", iid, "hold")
    await site.as_("carlos")
    assert ">Resume<" not in (await site.get(f"/initiatives/{iid}")).text
    assert (await site.post(f"/initiatives/{iid}/resume")).status_code == 403
    await site.as_("olivia")
    page = await site.get(f"/initiatives/{iid}")
    assert 'id="status">on hold<' in page.text and ">Resume<" in page.text
    r = await site.post(f"/initiatives/{iid}/resume", {"reason": "budget back"})
    assert "Initiative resumed." in flashes(r.text) and 'id="status">active<' in r.text


async def test_every_later_stage_form_through_conditions_and_quorum(site: Site):
    iid = await ready_for_g1(site, "All the way")
    r = await site.post(f"/initiatives/{iid}/forms/refine", {"title": "x" * 201})
    assert errors(r.text) == {"refine-title": "Use at most 200 characters"}
    await site.work(iid, "refine", {"title": "All the way, refined", "tags": "ops"})
    assert "All the way, refined" in (await site.get(f"/initiatives/{iid}")).text
    await request_review(site, iid)
    await decide(site, "clara", iid, "go")
    await site.opened(iid, "poc")
    await site.as_("carlos")
    r = await site.post(f"/initiatives/{iid}/forms/hypothesis",
                        {"statement": "Faster", "metric": "minutes", "comparator": "about",
                         "threshold": "ten"})  # fmt: skip
    assert errors(r.text) == {"hypothesis-comparator": "Choose one of: >=, >, <=, <, ==",
                              "hypothesis-threshold": "Enter a number"}  # fmt: skip
    await site.work(iid, "hypothesis", {"statement": "Routing is faster", "metric": "minutes",
                                        "comparator": "<=", "threshold": "10"})  # fmt: skip
    page = (await site.get(f"/initiatives/{iid}")).text
    hid = page.split('id="result-hypothesis_id"')[1].split('<option value="')[2].split('"')[0]
    await site.work(iid, "result", {"hypothesis_id": hid, "value": "7",
                                    "evidence_link": "https://wiki/exp1"})  # fmt: skip
    await site.work(iid, "data-source", {"name": "ERP invoices"})
    r = await site.post(f"/initiatives/{iid}/forms/model", {"choice": "", "rationale": ""})
    assert set(errors(r.text)) == {"model-choice", "model-rationale"}
    await site.work(iid, "model", {"choice": "Gradient boosting", "rationale": "Explainable"})
    await site.work(iid, "poc-risk", {"risk_class": "limited", "rationale": "confirmed"})
    await request_review(site, iid)
    await decide(site, "clara", iid, "conditional_go", "Sign DPA with vendor")
    await pilot(site, iid)
    await mvp(site, iid)


async def pilot(site: Site, iid: str) -> None:
    page = await site.opened(iid, "pilot")
    assert "Sign DPA with vendor" in page and "Open conditions" in page
    await site.as_("carlos")
    r = await site.post(
        f"/initiatives/{iid}/forms/scope",
        {"user_group": "AP clerks", "sites": "", "planned_weeks": "0"},
    )
    assert errors(r.text) == {"scope-sites": "Enter the sites",
                              "scope-planned_weeks": "Enter a number at least 1"}  # fmt: skip
    await site.work(iid, "scope", {"user_group": "AP clerks", "sites": "Berlin, Lyon",
                                   "planned_weeks": "8"})  # fmt: skip
    await site.work(
        iid,
        "kpi",
        {
            "name": "Routing time",
            "unit": "min",
            "baseline": "30",
            "target": "15",
            "direction": "lower",
            "importance": "must",
        },
    )
    page = (await site.get(f"/initiatives/{iid}")).text
    kid = page.split('id="measurement-kpi_id"')[1].split('<option value="')[2].split('"')[0]
    r = await site.post(f"/initiatives/{iid}/forms/measurement", {"kpi_id": kid, "value": "n/a"})
    assert errors(r.text) == {"measurement-value": "Enter a number"}
    for value in ("14", "13", "12"):
        await site.work(iid, "measurement", {"kpi_id": kid, "value": value, "source": "BI"})
    await site.work(iid, "oversight", {"override_by": "Team lead", "decision_boundaries": "< 5k",
                                       "escalation_path": "Lead, then CFO",
                                       "accountable": "olivia"})  # fmt: skip
    r = await site.post(
        f"/initiatives/{iid}/forms/incident", {"title": "Misroute", "severity": "catastrophic"}
    )
    assert errors(r.text)["incident-severity"].startswith("Choose one of: low")
    await site.work(iid, "incident", {"title": "Misroute", "severity": "low"})
    page = (await site.get(f"/initiatives/{iid}")).text
    incident = page.split('id="incident-status-incident_id"')[1]
    incident = incident.split('<option value="')[2].split('"')[0]
    r = await site.post(f"/initiatives/{iid}/forms/incident-status",
                        {"incident_id": incident, "status": "gone"})  # fmt: skip
    assert errors(r.text)["incident-status-status"].startswith("Choose one of: open")
    await site.work(iid, "incident-status", {"incident_id": incident, "status": "resolved"})
    r = await site.post(
        f"/initiatives/{iid}/forms/feedback", {"summary": "", "sentiment": "meh", "severity": "low"}
    )
    assert set(errors(r.text)) == {"feedback-summary", "feedback-sentiment"}
    await site.work(iid, "feedback", {"summary": "Clerks trust it", "sentiment": "positive",
                                      "severity": "low"})  # fmt: skip
    page = (await site.get(f"/initiatives/{iid}")).text
    assert "Incident status changed" in page and "Feedback recorded" in page
    assert page.count("<svg") >= 1 and "Routing time" in page and "on target" in page
    assert "Sign DPA with vendor" in page and "Mark fulfilled" not in page  # not a steward
    await site.as_("olivia")
    page = (await site.get(f"/initiatives/{iid}")).text
    cid = page.split("/conditions/")[1].split("/fulfil")[0]
    r = await site.post(f"/initiatives/{iid}/conditions/{cid}/fulfil", {"evidence": "DPA-7"})
    assert "Condition marked fulfilled." in flashes(r.text) and "Open conditions" not in r.text
    await request_review(site, iid)
    text = await decide(site, "clara", iid, "go")
    assert "go 1: 2 agreeing votes needed" in text  # G3 needs a quorum of two
    assert "<strong>clara</strong>: go" in text
    await decide(site, "conrad", iid, "go")


async def mvp(site: Site, iid: str) -> None:
    await site.as_("carlos")
    page = await site.opened(iid, "mvp")
    assert 'id="form-document"' in page and 'id="form-monitoring"' in page
    await site.as_("carlos")
    r = await site.post(
        f"/initiatives/{iid}/forms/document", {"kind": "poem", "link": "", "author": "me"}
    )
    assert set(errors(r.text)) == {"document-kind", "document-link"}
    for kind in ("model_card", "runbook"):
        await site.work(iid, "document", {"kind": kind, "link": f"https://docs/{kind}",
                                          "author": "carlos"})  # fmt: skip
    r = await site.post(
        f"/initiatives/{iid}/forms/monitoring", {"metrics": "latency: fast", "owner": "ops"}
    )
    assert errors(r.text) == {"monitoring-metrics": "Enter a number"}
    await site.work(iid, "monitoring", {"metrics": "latency p95: 800\nerror rate: 0.02",
                                        "owner": "ops"})  # fmt: skip
    r = await site.post(f"/initiatives/{iid}/forms/checklist", {"items": ""})
    assert errors(r.text) == {"checklist-items": "Enter the checklist"}
    await site.work(iid, "checklist", {"items": "[x] Runbook reviewed\n[ ] Pen test"})
    page = (await site.get(f"/initiatives/{iid}")).text
    assert "Readiness for G4" in page and "Monitoring configured" in page
    assert "Release checklist updated" in page
    await launch_and_retire(site, iid)


async def launch_and_retire(site: Site, iid: str) -> None:
    """G4 on two votes; a production measurement off target; the committee retires it."""
    await site.as_("olivia")
    await request_review(site, iid)
    await decide(site, "clara", iid, "go")
    await decide(site, "conrad", iid, "go")
    await site.as_("carlos")
    page = (await site.get(f"/initiatives/{iid}")).text
    assert "launched" in page
    kid = page.split('id="measurement-kpi_id"')[1].split('<option value="')[2].split('"')[0]
    await site.work(iid, "measurement", {"kpi_id": kid, "value": "40", "source": "BI"})
    await site.as_("clara")
    queue = (await site.get("/reviews")).text
    assert "re-review in production" in queue and "misses its target" in queue
    r = await site.post(f"/reviews/{iid}/decision", {"decision": "hold", "rationale": "wait"})
    assert "go (keep it running)" in r.text
    await decide(site, "clara", iid, "kill")
    page = (await site.get(f"/initiatives/{iid}")).text
    assert "killed" in page and "Re review decided" in page
