"""`tollgate up --nats-cluster 3 --replicas 2`: three clustered nats-servers of its own, the
stream on all three, two processes of every service (the API on two ports), a clean stop.
(PostgreSQL is a database of the test's own; --no-demo keeps the start short.)"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
from collections import Counter
from pathlib import Path

import httpx
import psutil
import pytest

from launch.cli import SERVICES
from launch.embedded import free_port, jetstream_info, port_in_use
from tests.integration.run_audit import fresh_database
from tests.integration.test_up import read_until

pytestmark = [pytest.mark.asyncio(loop_scope="session"), pytest.mark.timeout(300)]


async def test_up_runs_a_nats_cluster_and_every_service_twice_and_stops_cleanly(
    pg_server_url: str, tmp_path: Path
):
    port = free_port()
    while port_in_use("127.0.0.1", port + 1):  # the second API's port must be free too
        port = free_port()
    async with fresh_database(pg_server_url) as url:
        env = {k: v for k, v in os.environ.items() if k != "NATS_URL"}
        env |= {"DATABASE_URL": url, "TOLLGATE_SECRET": "a-secret-of-the-test"}
        args = ["up", "--data-dir", str(tmp_path / "data"), "--port", str(port), "--no-demo"]
        args += ["--replicas", "2", "--nats-cluster", "3"]
        proc = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "launch.cli",
            *args,
            env=env,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
        )
        assert proc.stdout is not None
        seen: list[str] = []
        try:
            await asyncio.wait_for(read_until(proc.stdout, "Press Ctrl-C", seen), 180)
            children = psutil.Process(proc.pid).children(recursive=True)
            lines = [" ".join(c.cmdline()) for c in children]
            services = Counter(line.rsplit(" ", 1)[1] for line in lines if " service " in line)
            nodes = [line for line in lines if "nats-server" in line and "--routes" in line]
            async with httpx.AsyncClient() as client:
                urls = [f"http://127.0.0.1:{p}/health" for p in (port, port + 1)]
                health = [(await client.get(url)).status_code for url in urls]
            ports = json.loads((tmp_path / "data" / "nats-cluster" / "ports.json").read_text())
            streams = [s for n in ports for s in _streams(jetstream_info(n[2]))]
        finally:
            children = psutil.Process(proc.pid).children(recursive=True)
            if proc.returncode is None:
                proc.send_signal(signal.SIGINT)
            drain = asyncio.create_task(proc.stdout.read())
            code = await asyncio.wait_for(proc.wait(), 90)
            seen += (await drain).decode().splitlines()
    assert services == dict.fromkeys(SERVICES, 2), services
    assert len(nodes) == 3 and health == [200, 200]
    assert any(f"API replicas: http://127.0.0.1:{port}, " in line for line in seen)
    tollgate = next(s for s in streams if s["name"] == "TOLLGATE")
    assert tollgate["cluster"]["leader"] and len(tollgate["cluster"]["replicas"]) == 2
    assert code == 0 and seen[-1].strip() == "stopped"
    _gone, alive = psutil.wait_procs(children, timeout=10)
    assert not alive, f"left running: {[p.pid for p in alive]}"


def _streams(info: dict[str, object]) -> list[dict[str, dict[str, object]]]:
    accounts = info.get("account_details") or []
    return [s for a in accounts for s in a.get("stream_detail", [])]  # type: ignore[union-attr]
