"""Acknowledging an incident on the initiative page (partials/incident.html, web/incidents.py):
the accountable person sees the deadline and the button and acknowledges without JavaScript;
someone else gets no button and a refusal in words if they post anyway, an agent no button; a
NUL in the note is refused, never a 500."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime, timedelta

import nats
import pytest

from events import pilot
from events.base import SYSTEM
from infra.driver import Driver
from services.journeys import Clock, Profile, journey
from tests.integration.web.site import Site, flashes, site

pytestmark = pytest.mark.asyncio(loop_scope="session")
__all__ = ["site"]


async def in_pilot(site: Site) -> str:
    """A running pilot of olivia's, whom its oversight design names accountable."""
    iid = f"pg-{uuid.uuid4().hex[:8]}"
    profile = Profile(
        initiative_id=iid, title=f"Claims triage {iid[-4:]}", problem="Slow claims",
        goal="Faster claims", owner="olivia", owner_account="olivia", outcome="pilot",
    )  # fmt: skip
    nc = await nats.connect(site.settings.nats_url)
    try:
        start = datetime.now(UTC) - timedelta(days=60)
        await Driver(nc, site.settings.subjects, open_timeout=30).run(
            journey(profile, Clock(start, timedelta(hours=2)))
        )
    finally:
        await nc.close()
    return iid


async def report(site: Site, iid: str, title: str) -> str:
    await site.as_("olivia")
    r = await site.work(iid, "incident", {"title": title, "severity": "critical"})
    found = re.search(r'id="incident-(\w+)"', (await site.get(f"/initiatives/{iid}")).text)
    assert found, r.text
    return found.group(1)


async def test_the_accountable_person_acknowledges_a_critical_incident_on_the_page(site: Site):
    iid = await in_pilot(site)
    incident = await report(site, iid, "Claims routed to the slow queue")
    page = (await site.get(f"/initiatives/{iid}")).text
    record = page.split(f'id="incident-{incident}"')[1].split("</div>")[0]
    assert "Not acknowledged" in record and "or it goes to the committee chair" in record
    assert f"/initiatives/{iid}/incidents/{incident}/acknowledge" in record

    path = f"/initiatives/{iid}/incidents/{incident}/acknowledge"
    done = await site.post(path, {"note": "Rolled back"}, htmx=False)
    assert (done.status_code, done.headers["location"]) == (303, f"/initiatives/{iid}")
    record = (await site.get(f"/initiatives/{iid}")).text.split(f'id="incident-{incident}"')[1]
    assert "Acknowledged</span> by olivia" in record.split("</div>")[0]
    assert path not in record.split("</div>")[0]  # no button once acknowledged


async def test_others_get_no_button_and_a_refusal_in_words(site: Site):
    iid = await in_pilot(site)
    incident = await report(site, iid, "Refunds doubled")
    path = f"/initiatives/{iid}/incidents/{incident}/acknowledge"
    await site.as_("bot")  # an agent on the committee: never a button (the decider refuses too)
    assert path not in (await site.get(f"/initiatives/{iid}")).text
    await site.as_("vera")
    assert path not in (await site.get(f"/initiatives/{iid}")).text
    refused = await site.post(path, {"note": ""})
    assert refused.status_code == 200, refused.text
    assert any("may not acknowledge it" in f for f in flashes(refused.text)), refused.text

    await site.as_("clara")  # the committee may
    bad = await site.post(path, {"note": "a\x00b"})
    assert bad.status_code < 500, bad.text
    assert "Acknowledged</span> by" not in (await site.get(f"/initiatives/{iid}")).text


async def test_the_committee_pack_says_an_incident_was_escalated(site: Site):
    iid = await in_pilot(site)
    incident = await report(site, iid, "Heating off overnight")
    escalate = pilot.EscalateIncident(
        initiative_id=iid, at=datetime.now(UTC) + timedelta(hours=5), actor=SYSTEM,
        incident_id=incident, chair="clara",
    )  # fmt: skip
    nc = await nats.connect(site.settings.nats_url)
    try:
        done = await Driver(nc, site.settings.subjects).step("pilot", escalate)
    finally:
        await nc.close()
    await site.as_("clara")
    state = await site.get(f"/api/v1/initiatives/{iid}", min_position=done.position)
    assert state.status_code == 200, state.text  # the read models have the escalation
    pack = await site.get(f"/api/v1/initiatives/{iid}/gate-pack", format="html")
    assert pack.status_code == 200, pack.text
    assert "not acknowledged in time: escalated to clara" in pack.text
