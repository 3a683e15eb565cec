"""`tollgate up` on a machine with nothing configured: embedded servers, demo, clean stop."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import sys
from pathlib import Path

import httpx
import psutil

from launch.embedded import free_port


async def read_until(stream: asyncio.StreamReader, marker: str, seen: list[str]) -> None:
    while True:
        line = (await stream.readline()).decode()
        if not line:
            raise AssertionError("tollgate up ended early:\n" + "".join(seen[-40:]))
        seen.append(line)
        if marker in line:
            return


async def test_tollgate_up_starts_everything_seeds_the_demo_and_stops_cleanly(tmp_path: Path):
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "NATS_URL")}
    port = free_port()
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "launch.cli",
        "up",
        "--data-dir",
        str(tmp_path / "data"),
        "--port",
        str(port),
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    assert proc.stdout is not None
    seen: list[str] = []
    try:
        await asyncio.wait_for(read_until(proc.stdout, "Tollgate is up", seen), 120)
        children = psutil.Process(proc.pid).children(recursive=True)
        names = " ".join(" ".join(c.cmdline()) for c in children)
        for service in ("ideation", "poc", "pilot", "mvp", "projection", "api", "webhooks"):
            assert f"service {service}" in names
        assert "nats-server" in names
        token = next(m.group(1) for line in seen
                     if (m := re.search(r"^\s+vera\s.*API token: (\S+)", line)))  # fmt: skip
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as client:
            assert (await client.get("/health")).status_code == 200
            page = await client.get(
                "/api/v1/initiatives",
                params={"limit": 100},
                headers={"Authorization": f"Bearer {token}"},
            )
        assert page.status_code == 200
        assert page.json()["total"] >= 25
        await a_dead_service_is_restarted(proc.pid, "poc")
    finally:
        children = psutil.Process(proc.pid).children(recursive=True)  # as they are now
        if proc.returncode is None:
            proc.send_signal(signal.SIGINT)
        drain = asyncio.create_task(proc.stdout.read())
        code = await asyncio.wait_for(proc.wait(), 60)
        await drain
    assert code == 0
    _gone, alive = psutil.wait_procs(children, timeout=10)
    assert not alive, f"left running: {[p.pid for p in alive]}"


async def a_dead_service_is_restarted(parent: int, name: str) -> None:
    def service(pid: int) -> psutil.Process | None:
        for child in psutil.Process(pid).children(recursive=True):
            if f"service {name}" in " ".join(child.cmdline()):
                return child
        return None

    victim = service(parent)
    assert victim is not None
    victim.kill()
    for _ in range(100):
        await asyncio.sleep(0.1)
        successor = service(parent)
        if successor is not None and successor.pid != victim.pid:
            return
    raise AssertionError(f"{name} was not restarted after it died")
