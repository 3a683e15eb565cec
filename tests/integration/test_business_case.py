"""The business case through the HTTP API with every service a real process: stated in
ideation, refined in the PoC (naming the KPI planned for the pilot), realised value from the
pilot's measurements, the portfolio's value per stage and sponsor, `as_of` before a
refinement, and bad input refused with nothing written."""

from __future__ import annotations

import asyncio
import time
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from infra.db import create_pool
from tests.accounts import ensure_user
from tests.integration.api_stack import Api, api
from tests.integration.web.dossier_journey import ENERGY, IDEA, decide, ideation, poc

pytestmark = pytest.mark.asyncio(loop_scope="session")
__all__ = ["api"]
YEAR = 365.25 * 86400
PEOPLE = {"olivia": "owner", "carlos": "contributor", "clara": "committee", "vera": "viewer"}
IDEATION_CASE = {"expected_annual_value": 200_000, "one_off_cost": 100_000,
                 "running_cost_per_year": 20_000, "confidence": "low"}  # fmt: skip
POC_CASE = {"expected_annual_value": 150_000, "one_off_cost": 90_000,
            "running_cost_per_year": 24_000, "confidence": "medium", "kpi_id": "energy",
            "value_per_unit": 5_000, "note": "Vendor quote in hand"}  # fmt: skip


class People:
    """POSTs and GETs as the people of this test, on the stack of the `api` fixture."""

    def __init__(self, api: Api, tokens: dict[str, str]) -> None:
        self.api, self.tokens = api, tokens
        self.last = 0

    def auth(self, who: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[who]}"}

    async def post(self, path: str, who: str, body: Any = None) -> Any:
        return await self.api.http.post(path, json=body or {}, headers=self.auth(who))

    async def do(self, path: str, who: str, body: Any = None) -> Any:
        r = await self.post(path, who, body)
        assert r.status_code in (200, 201), f"{path}: {r.status_code} {r.text}"
        self.last = max(self.last, r.json().get("position") or 0)
        return r.json()

    async def get(self, path: str, **params: Any) -> Any:
        params.setdefault("min_position", self.last)
        r = await self.api.http.get(path, params=params, headers=self.auth("vera"))
        assert r.status_code == 200, r.text
        return r.json()

    async def opened(self, iid: str, stage: str, within: float = 20) -> None:
        deadline = time.monotonic() + within
        while not await self.get(f"/initiatives/{iid}/events", type=f"{stage}_opened"):
            assert time.monotonic() < deadline, f"{stage} never opened"
            await asyncio.sleep(0.1)


async def people(api: Api) -> People:
    pool = await create_pool(api.stack.settings.database_url_for("api"), max_size=2)
    try:
        tokens = {n: (await ensure_user(pool, n, r))[1] for n, r in PEOPLE.items()}
    finally:
        await pool.close()
    return People(api, tokens)


async def case_of(p: People, iid: str, **params: Any) -> dict[str, Any]:
    found: dict[str, Any] = (await p.get(f"/initiatives/{iid}", **params))["business_case"]
    return found


async def test_a_case_refined_stage_by_stage_realises_value_from_the_pilots_measurements(api: Api):
    p = await people(api)
    sponsor = f"CFO {uuid.uuid4().hex[:6]}"
    iid = (await p.do("/initiatives", "olivia", {**IDEA, "sponsor": sponsor}))["id"]
    await ideation(p, iid)
    stated = await p.do(f"/initiatives/{iid}/business-case", "olivia", IDEATION_CASE)
    first = await case_of(p, iid)
    assert (first["stage"], first["case"]["expected_annual_value"]) == ("ideation", 200_000)
    assert first["expected_payback_months"] == 6.7  # 100k / (180k / 12)
    again = await p.do(f"/initiatives/{iid}/business-case", "carlos", IDEATION_CASE)
    assert "event_ids" not in again and again["version"] == stated["version"]  # a no-op
    await refused_without_a_trace(p, iid)
    before_poc = datetime.now(UTC)

    await p.do(f"/initiatives/{iid}/gate-reviews", "olivia")
    await decide(p, iid, "clara")
    await p.opened(iid, "poc")
    await p.do(f"/initiatives/{iid}/business-case", "carlos", POC_CASE)
    refined = await case_of(p, iid)
    assert [v["stage"] for v in refined["history"]] == ["ideation", "poc"]
    assert refined["realised_value"] == 0 and refined["kpi_name"] is None  # KPI not yet defined
    earlier = await case_of(p, iid, as_of=before_poc.isoformat())
    assert (earlier["stage"], earlier["case"]["expected_annual_value"]) == ("ideation", 200_000)

    await poc(p, iid)
    await p.do(f"/initiatives/{iid}/gate-reviews", "olivia")
    await decide(p, iid, "clara")
    await p.opened(iid, "pilot")
    await p.do(f"/initiatives/{iid}/pilot/kpis", "carlos", ENERGY)
    now = datetime.now(UTC)
    for days, value in ((90, 110), (60, 104), (30, 100)):
        at = (now - timedelta(days=days)).isoformat()
        await p.do(f"/initiatives/{iid}/kpis/energy/measurements", "carlos",
                   {"value": value, "at": at})  # fmt: skip
    pilot_case = await case_of(p, iid)
    expected = 5_000 * (10 + 16) * 30 * 86400 / YEAR  # 10 then 16 MWh better, 30 days each
    assert pilot_case["realised_value"] == pytest.approx(expected, abs=0.01)
    assert (pilot_case["kpi_name"], pilot_case["measurements"]) == ("Energy use", 3)
    assert pilot_case["invested_cost"] == pytest.approx(90_000, abs=5)  # one-off from the PoC
    future = await case_of(p, iid, as_of="2199-01-01T00:00:00Z")  # the future is not known:
    assert future["invested_cost"] == pytest.approx(90_000, abs=5)  # no running cost till then
    value = (await p.get("/portfolio", as_of="2199-01-01T00:00:00Z"))["value"]
    [point] = [x for x in value["points"] if x["initiative_id"] == iid]
    assert point["invested_cost"] == pytest.approx(90_000, abs=5)
    await portfolio_shows_it(p, iid, sponsor, pilot_case, before_poc)
    pack = await p.api.http.get(f"/initiatives/{iid}/gate-pack", params={"format": "html"},
                                headers=p.auth("vera"))  # fmt: skip
    assert pack.status_code == 200 and "Business case" in pack.text
    assert "150k EUR" in pack.text and "Energy use" in pack.text


async def refused_without_a_trace(p: People, iid: str) -> None:
    events = len(await p.get(f"/initiatives/{iid}/events"))
    negative = await p.post(f"/initiatives/{iid}/business-case", "olivia",
                            {**IDEATION_CASE, "one_off_cost": -5})  # fmt: skip
    assert negative.status_code == 422, negative.text
    assert negative.json()["field"] == "one_off_cost" and ">= 0" in negative.json()["detail"]
    words = await p.post(f"/initiatives/{iid}/business-case", "olivia",
                         {**IDEATION_CASE, "expected_annual_value": "a lot"})  # fmt: skip
    assert words.status_code == 422 and words.json()["field"] == "expected_annual_value"
    loose = await p.post(f"/initiatives/{iid}/business-case", "olivia",
                         {**IDEATION_CASE, "value_per_unit": 10})  # fmt: skip
    assert loose.status_code == 422 and "kpi_id" in loose.json()["detail"]
    viewer = await p.post(f"/initiatives/{iid}/business-case", "vera", IDEATION_CASE)
    assert viewer.status_code == 403
    assert len(await p.get(f"/initiatives/{iid}/events")) == events


async def portfolio_shows_it(
    p: People, iid: str, sponsor: str, case: dict[str, Any], before_poc: datetime
) -> None:
    value = (await p.get("/portfolio"))["value"]
    [mine] = [x for x in value["points"] if x["initiative_id"] == iid]
    assert (mine["stage"], mine["expected_annual_value"]) == ("pilot", 150_000)
    assert mine["realised_value"] == pytest.approx(case["realised_value"], abs=0.01)
    assert mine["effort"] == pytest.approx(90_000 + 24_000, abs=5)  # invested + next year
    [group] = [g for g in value["per_sponsor"] if g["key"] == sponsor]
    assert (group["cases"], group["expected_annual_value"]) == (1, 150_000)
    assert group["realised_value"] == pytest.approx(case["realised_value"], abs=0.01)
    [pilots] = [g for g in value["per_stage"] if g["key"] == "pilot" and g["currency"] == "EUR"]
    assert pilots["realised_value"] >= group["realised_value"] - 0.01
    assert pilots["invested_cost"] >= group["invested_cost"] - 0.01
    then = (await p.get("/portfolio", as_of=before_poc.isoformat()))["value"]
    [earlier] = [x for x in then["points"] if x["initiative_id"] == iid]
    assert (earlier["stage"], earlier["expected_annual_value"]) == ("ideation", 200_000)
    assert earlier["invested_cost"] == 0 and earlier["effort"] == 120_000  # nothing spent yet
