"""Every form that posts carries a fresh Idempotency-Key: the same rendered form sent twice
(one after the other, or both at once) records once and shows the first outcome; a form
that comes back (with errors or after success) has a new key."""

from __future__ import annotations

import asyncio
import re
import uuid

import pytest

from api.idempotency import FORM_FIELD
from tests.integration.web.site import IDEA, Site, errors, site

pytestmark = pytest.mark.asyncio(loop_scope="session")
__all__ = ["site"]
WORKSHOP = {"held_on": "2026-01-15", "participants": "ana, ben", "outcome": "Worth a PoC"}


def form_keys(html: str) -> list[str]:
    return re.findall(rf'name="{FORM_FIELD}" value="([^"]+)"', html)


async def titled(site: Site, title: str) -> list[str]:
    page = (await site.client.get("/api/v1/initiatives", params={"q": title})).json()
    return [item["initiative_id"] for item in page["items"] if item["title"] == title]


async def events_of(site: Site, iid: str, kind: str) -> int:
    timeline = (await site.client.get(f"/api/v1/initiatives/{iid}/events")).json()
    return sum(1 for event in timeline if event["type"].endswith(kind))


async def test_every_form_that_posts_carries_its_own_fresh_key(site: Site):
    await site.as_("olivia")
    iid = await site.propose(title="Keys everywhere")
    page = (await site.get(f"/initiatives/{iid}")).text
    keys = form_keys(page)
    assert len(keys) == page.count('method="post"') - 1  # all but the sign-out button
    assert len(set(keys)) == len(keys)
    assert form_keys((await site.get(f"/initiatives/{iid}")).text)[0] != keys[0]
    propose = (await site.get("/propose")).text
    assert len(form_keys(propose)) == 1


async def test_the_same_proposal_form_sent_twice_records_one_initiative(site: Site):
    await site.as_("carlos")
    title = f"Double submit {uuid.uuid4().hex[:8]}"
    (key,) = form_keys((await site.get("/propose")).text)
    data = {**IDEA, "title": title, FORM_FIELD: key}
    first = await site.post("/propose", data, htmx=False)
    again = await site.post("/propose", data, htmx=False)
    assert first.status_code == again.status_code == 303
    assert again.headers["location"] == first.headers["location"]
    assert again.headers["idempotent-replayed"] == "true"
    assert await titled(site, title) == [first.headers["location"].rsplit("/", 1)[-1]]


async def test_a_double_click_sends_both_at_once_and_both_show_the_first_outcome(site: Site):
    await site.as_("carlos")
    title = f"Double click {uuid.uuid4().hex[:8]}"
    (key,) = form_keys((await site.get("/propose")).text)
    data = {**IDEA, "title": title, FORM_FIELD: key}
    replies = await asyncio.gather(*(site.post("/propose", data, htmx=False) for _ in range(2)))
    assert [r.status_code for r in replies] == [303, 303]
    assert len({r.headers["location"] for r in replies}) == 1
    assert len(await titled(site, title)) == 1


async def test_a_stage_form_sent_twice_records_once_and_comes_back_with_a_new_key(site: Site):
    await site.as_("carlos")
    iid = await site.propose(title="Workshop twice")
    page = (await site.get(f"/initiatives/{iid}")).text
    key = re.search(rf'id="form-workshop".*?name="{FORM_FIELD}" value="([^"]+)"', page, re.S)
    assert key is not None
    data = {**WORKSHOP, FORM_FIELD: key.group(1)}
    first = await site.work(iid, "workshop", data)
    again = await site.work(iid, "workshop", data)
    assert again.text == first.text and again.headers["idempotent-replayed"] == "true"
    assert again.headers["hx-trigger"] == "tollgate:recorded"
    assert form_keys(first.text) and form_keys(first.text)[0] != key.group(1)
    assert await events_of(site, iid, "workshop_held.v1") == 1


async def test_a_form_with_errors_comes_back_with_a_new_key_for_the_corrected_one(site: Site):
    await site.as_("carlos")
    iid = await site.propose(title="Fix and resend")
    bad = await site.post(f"/initiatives/{iid}/forms/workshop", {FORM_FIELD: "k-bad"})
    assert errors(bad.text)
    (fresh,) = form_keys(bad.text)
    assert fresh != "k-bad"
    await site.work(iid, "workshop", {**WORKSHOP, FORM_FIELD: fresh})
    assert await events_of(site, iid, "workshop_held.v1") == 1


async def test_the_same_form_key_with_other_values_is_refused_with_a_page(site: Site):
    await site.as_("carlos")
    iid = await site.propose(title="Changed after sending")
    key = str(uuid.uuid4())
    await site.work(iid, "workshop", {**WORKSHOP, FORM_FIELD: key})
    changed = {**WORKSHOP, "outcome": "Changed", FORM_FIELD: key}
    r = await site.post(f"/initiatives/{iid}/forms/workshop", changed, htmx=False)
    assert r.status_code == 422 and r.headers["content-type"].startswith("text/html")
    assert "already sent with other values" in r.text
    assert await events_of(site, iid, "workshop_held.v1") == 1
