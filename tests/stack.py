"""Every Tollgate service as a real process against the session's PostgreSQL and NATS."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sys
import time
from collections.abc import Iterable

import httpx
import nats

from infra.migrations import migrate_all
from infra.settings import Settings
from launch.cli import SERVICES
from launch.embedded import free_port

# services with no NATS endpoint to ping: their durable consumer's name after the subject root
CONSUMERS = {"projection": "projection", "webhooks": "api-webhooks", "notifier": "notifier"}
LIVE: set[asyncio.subprocess.Process] = set()  # every process a Stack started and still runs


def kill_leftovers() -> None:
    """Kill what a failed test left running (its Stack never got to stop it)."""
    for proc in list(LIVE):
        if proc.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                proc.kill()
        LIVE.discard(proc)


class Stack:
    """Starts, stops and kills service processes; `url` is the API's base URL."""

    def __init__(self, settings: Settings, extra_env: dict[str, str] | None = None) -> None:
        self.settings = settings
        self.extra_env = extra_env or {}  # overrides, e.g. TOLLGATE_WEBHOOK_ALLOW
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.procs: dict[str, asyncio.subprocess.Process] = {}
        self.ports: dict[str, int] = {}  # API replicas but the first: "api#2" -> its port

    def url_of(self, name: str) -> str:
        """The base URL of an API replica ("api", "api#2", ...)."""
        return f"http://127.0.0.1:{self.ports.get(name, self.port)}"

    def env(self, name: str = "api") -> dict[str, str]:
        s = self.settings
        return {
            **os.environ,
            "DATABASE_URL": s.database_url,
            "NATS_URL": s.nats_url,
            "TOLLGATE_STREAM": s.stream,
            "TOLLGATE_SUBJECT_ROOT": s.subject_root,
            "TOLLGATE_HTTP_PORT": str(self.ports.get(name, self.port)),
            "TOLLGATE_DEMO": "0",
            "TOLLGATE_SECRET": "test-secret",
            "TOLLGATE_WEBHOOK_ALLOW": "127.0.0.1",  # the tests' webhook receivers
            # the notifier's clock-driven work (overdue reviews, digests) stays off: a test
            # that wants it ticks a Scheduler with a clock of its own (inbox_world.py)
            "TOLLGATE_SCHEDULER_SECONDS": "0",
            **self.extra_env,
        }

    async def start(self, *names: str) -> None:
        """Start services by name; "poc#2" starts a second replica of poc ("api#2" on a
        port of its own)."""
        for name in names:
            if name.startswith("api#"):
                self.ports.setdefault(name, free_port())
            service = name.split("#")[0]
            self.procs[name] = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "launch.cli", "service", service, env=self.env(name)
            )
            LIVE.add(self.procs[name])
        await self.wait_ready(names)

    async def wait_ready(self, names: Iterable[str], timeout: float = 30.0) -> None:
        """A stage service is ready when its NATS service answers a ping; the API at /health."""
        deadline = time.monotonic() + timeout
        nc = await nats.connect(self.settings.nats_url.split(","))  # one server, or a cluster
        try:
            for name in names:
                while not await self._ready(nc, name):
                    if self.procs[name].returncode is not None:
                        raise RuntimeError(f"{name} exited with {self.procs[name].returncode}")
                    if time.monotonic() > deadline:
                        raise TimeoutError(f"{name} not ready after {timeout:g}s")
                    await asyncio.sleep(0.1)
        finally:
            await nc.close()

    async def _ready(self, nc: nats.NATS, replica: str) -> bool:
        name = replica.split("#", maxsplit=1)[0]
        if name == "api":
            try:
                async with httpx.AsyncClient() as client:
                    url = self.url_of(replica)
                    return (await client.get(f"{url}/health", timeout=1)).status_code < 500
            except httpx.HTTPError:
                return False
        subject = f"$SRV.PING.{self.settings.subjects.service(name)}"
        try:
            await nc.request(subject, b"", timeout=0.5)
        except (nats.errors.NoRespondersError, nats.errors.TimeoutError):
            durable = CONSUMERS.get(name)
            return durable is not None and await self._consuming(nc, durable)
        return True

    async def _consuming(self, nc: nats.NATS, durable: str) -> bool:
        """A consumer-only service is ready once its durable JetStream consumer exists."""
        try:
            await nc.jetstream().consumer_info(
                self.settings.stream, f"{self.settings.subject_root}-{durable}"
            )
        except Exception:
            return False
        return True

    async def stop(self, name: str, sig: int = signal.SIGTERM) -> int:
        proc = self.procs.pop(name)
        if proc.returncode is None:
            proc.send_signal(sig)
        code = await asyncio.wait_for(proc.wait(), 20)
        LIVE.discard(proc)
        return code

    async def kill(self, name: str) -> int:
        return await self.stop(name, signal.SIGKILL)

    async def stop_all(self) -> None:
        for name in list(self.procs):
            await self.stop(name)


async def start_stack(
    settings: Settings, names: Iterable[str] | None = None, extra_env: dict[str, str] | None = None
) -> Stack:
    await migrate_all(settings.database_url)
    stack = Stack(settings, extra_env)
    await stack.start(*(names or SERVICES))
    return stack
