"""NATS unreachable: a command gets a 503 at once (not after the command timeout), and once
the broker is back the same request goes through."""

from __future__ import annotations

import time
from pathlib import Path

import httpx
import pytest

from infra.settings import Settings
from launch.embedded import start_nats
from tests.integration.api_stack import make_users
from tests.integration.bus import eventually, own_bus
from tests.stack import start_stack

pytestmark = pytest.mark.asyncio(loop_scope="session")
IDEA = {
    "title": "Broker outage", "problem_statement": "p", "business_goal": "g",
    "sponsor": "s", "owner": "o",
}  # fmt: skip


async def test_with_nats_down_a_command_is_a_503_within_a_second(
    settings: Settings, tmp_path: Path
):
    nats_proc, nats_url = start_nats(tmp_path)
    port = int(nats_url.rsplit(":", 1)[1])
    bus = own_bus(settings)
    bus = Settings(**{**{f: getattr(bus, f) for f in bus.__struct_fields__}, "nats_url": nats_url})
    try:
        stack = await start_stack(bus)
    except BaseException:  # the private server must not outlive a stack that did not start
        nats_proc.terminate()
        raise
    tokens = await make_users(bus)
    auth = {"Authorization": f"Bearer {tokens['contributor']}"}
    http = httpx.AsyncClient(base_url=f"{stack.url}/api/v1", headers=auth, timeout=30)
    try:
        assert (await http.post("/initiatives", json=IDEA)).status_code == 201
        nats_proc.terminate()
        nats_proc.wait(10)
        started = time.monotonic()
        down = await http.post("/initiatives", json=IDEA, headers={"Idempotency-Key": "k-1"})
        elapsed = time.monotonic() - started
        assert down.status_code == 503, down.text
        assert "Retry-After" in down.headers
        assert "not applied" in down.json()["detail"] or "NATS" in down.json()["detail"]
        assert elapsed < 1.0, f"the 503 took {elapsed:.2f}s"

        nats_proc, _ = start_nats(tmp_path, port)

        async def accepted() -> bool:
            again = await http.post("/initiatives", json=IDEA, headers={"Idempotency-Key": "k-1"})
            return again.status_code == 201

        await eventually(accepted, timeout=30, what="the command after NATS is back")
    finally:
        await http.aclose()
        await stack.stop_all()
        nats_proc.terminate()
        nats_proc.wait(10)
