"""EU AI Act obligations through the HTTP API with every service a real process: the
obligations of a high-risk pilot switch with the company's role, statuses need evidence and
a known obligation, a serious incident's Art. 73 report is due (and overdue) 10 days after
awareness of a death and waits in the owner's inbox, and the AI register lists the systems
in pilot, MVP or production, never those in ideation or PoC (JSON and CSV)."""

from __future__ import annotations

import csv
import io
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests.integration.api_stack import Api, api
from tests.integration.test_business_case import People, people
from tests.integration.web.dossier_journey import IDEA, decide, poc

pytestmark = pytest.mark.asyncio(loop_scope="session")
__all__ = ["api"]


async def high_risk_idea(p: People, title: str) -> str:
    iid: str = (await p.do("/initiatives", "olivia", {**IDEA, "title": title}))["id"]
    base = f"/initiatives/{iid}/ideation"
    await p.do(f"{base}/scores", "olivia", {"value": 4, "feasibility": 3, "risk": 4,
                                            "strategic_fit": 4})  # fmt: skip
    await p.do(f"{base}/sourcing", "carlos", {"sourcing": "buy", "rationale": "A vendor's tool"})
    await p.do(f"{base}/risk", "carlos", {"risk_class": "high", "rationale": "Annex III 4"})
    return iid


async def to_poc(p: People, iid: str) -> None:
    await p.do(f"/initiatives/{iid}/gate-reviews", "olivia")
    await decide(p, iid, "clara")
    await p.opened(iid, "poc")


async def to_pilot(p: People, iid: str) -> None:
    await poc(p, iid)
    await p.do(f"/initiatives/{iid}/poc/risk", "carlos",
               {"risk_class": "high", "rationale": "Shortlists applicants"})  # fmt: skip
    await p.do(f"/initiatives/{iid}/gate-reviews", "olivia")
    await decide(p, iid, "clara")
    await p.opened(iid, "pilot")


def ids(found: dict[str, Any]) -> set[str]:
    return {o["id"] for o in found["obligations"]}


async def test_obligations_follow_the_role_and_a_serious_incident_starts_the_art_73_clock(
    api: Api,
) -> None:
    p = await people(api)
    tag = uuid.uuid4().hex[:6]
    iid = await high_risk_idea(p, f"Applicant screening {tag}")
    await to_poc(p, iid)
    await to_pilot(p, iid)

    bought = await p.get(f"/initiatives/{iid}/obligations")
    assert (bought["role"], bought["role_recorded"], bought["risk_class"]) == (
        "deployer",
        False,
        "high",
    )
    assert {"fria", "deployer_use", "inform_workers"} <= ids(bought) and "tech_doc" not in ids(
        bought
    )
    assert bought["version"] == "2026.1" and bought["criteria_version"] == "2026.1"

    role = {"role": "provider", "reason": "Sold on under our own name", "switch": "own_name"}
    before = datetime.now(UTC)
    await p.do(f"/initiatives/{iid}/role", "olivia", role)
    provider = await p.get(f"/initiatives/{iid}/obligations")
    assert (provider["role"], provider["switch"], provider["role_recorded"]) == (
        "provider",
        "own_name",
        True,
    )
    assert {"tech_doc", "qms", "pmm", "serious_incident"} <= ids(provider)
    assert "fria" not in ids(provider)
    then = await p.get(f"/initiatives/{iid}/obligations", as_of=before.isoformat())
    assert then["role"] == "deployer" and "fria" in ids(then)  # as it stood before the switch
    tech = next(o for o in provider["obligations"] if o["id"] == "tech_doc")
    assert (tech["article"], tech["status"], tech["applies_from"], tech["overdue"]) == (
        "11 + Annex IV", "open", "2027-12-02", False)  # fmt: skip

    path = f"/initiatives/{iid}/obligations"
    bare = await p.post(f"{path}/tech_doc", "carlos", {"status": "met"})
    assert bare.status_code == 422 and "evidence" in bare.json()["detail"]
    unknown = await p.post(f"{path}/fria", "carlos", {"status": "in_progress"})
    assert unknown.status_code == 404 and "tech_doc" in unknown.json()["detail"]
    switch = await p.post(f"/initiatives/{iid}/role", "carlos", {**role, "role": "deployer"})
    assert switch.status_code == 422
    viewer = await p.post(f"/initiatives/{iid}/role", "vera", role)
    assert viewer.status_code == 403
    await p.do(f"{path}/tech_doc", "carlos", {"status": "met", "evidence": "https://wiki/annex-iv"})
    met = next(o for o in (await p.get(path))["obligations"] if o["id"] == "tech_doc")
    assert (met["status"], met["evidence"], met["recorded_by"]) == (
        "met",
        "https://wiki/annex-iv",
        "carlos",
    )

    naive = {"title": "No offset", "severity": "high", "serious": "health",
             "aware_at": "2026-01-01T00:00:00"}  # fmt: skip
    unzoned = await p.post(f"/initiatives/{iid}/pilot/incidents", "carlos", naive)
    assert (unzoned.status_code, unzoned.json()["field"]) == (422, "aware_at")  # not a 503
    aware = datetime.now(UTC) - timedelta(days=12)
    incident = {"title": "Wrongly rejected applicant", "severity": "critical", "serious": "death",
                "aware_at": aware.isoformat()}  # fmt: skip
    reported = await p.do(f"/initiatives/{iid}/pilot/incidents", "carlos", incident)
    found = await p.get(path)
    report = next(
        o for o in found["obligations"] if o["id"] == f"serious_incident.{reported['record_id']}"
    )
    due = datetime.fromisoformat(report["deadline"])
    assert abs(due - (aware + timedelta(days=10))) < timedelta(seconds=1)
    assert (report["article"], report["overdue"], report["deadline_inferred"]) == (
        "73(4)",
        True,
        True,
    )
    assert (report["serious"], report["causal_link_at"]) == ("death", None)  # the Art. 73 facts
    assert abs(datetime.fromisoformat(report["aware_at"]) - aware) < timedelta(seconds=1)
    assert found["overdue"] == 1
    later = await p.get(path, as_of=(datetime.now(UTC) + timedelta(days=3650)).isoformat())
    assert [(o["id"], o["in_force"], o["overdue"]) for o in later["obligations"]] == [
        (o["id"], o["in_force"], o["overdue"]) for o in found["obligations"]
    ]  # an as_of in the future reads them as they stand now: nothing is known of the future

    inbox = await p.api.http.get("/inbox", headers=p.auth("olivia"))
    mine = [
        i for i in inbox.json()["items"] if i["initiative_id"] == iid and i["kind"] == "obligation"
    ]
    assert [i["key"] for i in mine] == [f"obligation:{report['id']}"]
    assert mine[0]["urgent"] and "Wrongly rejected applicant" in mine[0]["text"]
    assert mine[0]["overdue"]  # past its deadline when read, as the page says

    pack = await p.api.http.get(
        f"/initiatives/{iid}/gate-pack", params={"format": "html"}, headers=p.auth("vera")
    )
    assert 'id="pack-obligations"' in pack.text and "1 overdue" in pack.text
    detail = (await p.get(f"/initiatives/{iid}"))["summary"]
    assert detail["obligations_open"] == found["open"]  # the detail and the list agree
    listed = (await p.get("/initiatives", q=tag))["items"]
    assert [(i["obligations_open"], len(i["obligation_deadlines"])) for i in listed] == [
        (found["open"], 1)
    ]
    then = (await p.get("/initiatives", q=tag, as_of=datetime.now(UTC).isoformat()))["items"]
    assert [(i["obligations_open"], len(i["obligation_deadlines"])) for i in then] == [
        (found["open"], 1)
    ]  # the list as of a moment counts them as the detail does


async def test_the_ai_register_lists_pilots_and_later_never_ideas_or_pocs(api: Api) -> None:
    p = await people(api)
    tag = uuid.uuid4().hex[:6]
    idea = await high_risk_idea(p, f"Register idea {tag}")
    in_poc = await high_risk_idea(p, f"Register PoC {tag}")
    await to_poc(p, in_poc)
    in_pilot = await high_risk_idea(p, f"Register pilot {tag}")
    await to_poc(p, in_pilot)
    in_poc_then = datetime.now(UTC)
    await to_pilot(p, in_pilot)
    earlier = await p.get("/ai-register", as_of=in_poc_then.isoformat())
    assert in_pilot not in {e["initiative_id"] for e in earlier}  # still a PoC then

    register = await p.get("/ai-register")
    listed = {e["initiative_id"]: e for e in register}
    assert in_pilot in listed and idea not in listed and in_poc not in listed
    entry = listed[in_pilot]
    assert (entry["stage"], entry["risk_class"], entry["role"]) == ("pilot", "high", "deployer")
    assert (entry["purpose"], entry["goal"]) == (IDEA["problem_statement"], IDEA["business_goal"])
    assert entry["open"] == len(entry["obligations"]) > 0
    ahead = await p.get(
        "/ai-register", as_of=(datetime.now(UTC) + timedelta(days=3650)).isoformat()
    )
    then = next(e for e in ahead if e["initiative_id"] == in_pilot)
    assert [o["in_force"] for o in then["obligations"]] == [
        o["in_force"] for o in entry["obligations"]
    ]  # not as the law will apply them in ten years: nothing is known of the future

    response = await p.api.http.get(
        "/ai-register", headers={**p.auth("vera"), "Accept": "text/csv"}
    )
    assert response.headers["content-type"] == "text/csv; charset=utf-8"  # the charset once
    rows = list(csv.DictReader(io.StringIO(response.text)))
    mine = [r for r in rows if r["id"] == in_pilot]
    assert len(mine) == 1 and not [r for r in rows if r["id"] in (idea, in_poc)]
    assert (
        mine[0]["role"] == "deployer"
        and "Fundamental rights impact assessment" in mine[0]["open_list"]
    )
    assert (await p.api.http.get("/ai-register")).status_code == 401
    xml = await p.api.http.get("/ai-register", params={"format": "xml"}, headers=p.auth("vera"))
    assert (xml.status_code, xml.json()["field"]) == (400, "format")  # as sent, not `fmt`
    assert xml.json()["detail"].startswith("query parameter `format`")
