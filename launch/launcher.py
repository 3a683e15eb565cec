"""`tollgate up`: embedded servers when none are configured, then every service supervised.

It refuses at once when its port is taken or its data folder has a running instance, records
its servers' URLs in `<data dir>/instance.json` for the other commands, and on Ctrl-C (or
SIGTERM) stops the API, then the services, then NATS and PostgreSQL, and removes the file.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path

import httpx
import msgspec

from infra.migrations import migrate_all
from infra.settings import ConfigError, Settings, secret_warning
from launch import instance
from launch.embedded import port_in_use, start_nats, start_postgres, stop_postgres
from launch.supervisor import Supervisor

# runs once the API answers; returns lines to print (the demo seeds and lists its sign-ins)
Greet = Callable[[Settings, str], Awaitable[list[str]]]


def up(settings: Settings, names: list[str], greet: Greet) -> int:
    if not secret_accepted(settings, "tollgate up"):
        return 2
    refused = _refusal(settings)
    if refused:
        print(f"tollgate up: {refused}", file=sys.stderr, flush=True)
        return 2
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    servers = Embedded(settings.data_dir)
    code = 0
    signal.signal(signal.SIGTERM, _interrupted)  # until the services run, as a Ctrl-C
    try:
        settings = servers.start(settings)
        instance.record(settings.data_dir, _instance(settings, servers))
        code = asyncio.run(_run(settings, names, greet))
    except KeyboardInterrupt:  # a Ctrl-C before the services ran
        print("interrupted; stopping...", flush=True)
    finally:
        for sig in (signal.SIGINT, signal.SIGTERM):  # a second one must not cut this short
            signal.signal(sig, signal.SIG_IGN)
        instance.forget(settings.data_dir)
        servers.stop()
    print("stopped", flush=True)
    return code


def _interrupted(_sig: int, _frame: object) -> None:
    raise KeyboardInterrupt


def _refusal(settings: Settings) -> str | None:
    """Why `tollgate up` cannot start here, before it starts anything."""
    running = instance.running(settings.data_dir)
    if running is not None and running.pid != os.getpid():
        return (
            f"a Tollgate instance is already running in {settings.data_dir} (pid {running.pid},"
            f" {running.http_url}); stop it first, or use another --data-dir"
        )
    if port_in_use(settings.http_host, settings.http_port):
        return f"port {settings.http_port} is in use; try --port"
    return None


class Embedded:
    """The servers `tollgate up` starts itself when none are configured; stopped last, NATS
    and then PostgreSQL."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        self.postgres = False
        self.nats: subprocess.Popen[bytes] | None = None

    @property
    def names(self) -> tuple[str, ...]:
        return ("postgres",) * self.postgres + ("nats",) * (self.nats is not None)

    def start(self, settings: Settings) -> Settings:
        if not settings.database_url:
            url = start_postgres(self.data_dir)
            self.postgres = True
            settings = msgspec.structs.replace(settings, database_url=url)
            print(f"embedded PostgreSQL: {url}", flush=True)
        if not settings.nats_url:
            self.nats, url = start_nats(self.data_dir)
            settings = msgspec.structs.replace(settings, nats_url=url)
            print(f"embedded NATS: {url}", flush=True)
        return settings

    def stop(self) -> None:
        if self.nats is not None and self.nats.poll() is None:
            self.nats.terminate()
            try:
                self.nats.wait(10)
            except subprocess.TimeoutExpired:
                self.nats.kill()
                self.nats.wait()
        if self.postgres:
            stop_postgres(self.data_dir)


def _instance(settings: Settings, servers: Embedded) -> instance.Instance:
    return instance.Instance(
        pid=os.getpid(),
        database_url=settings.database_url,
        nats_url=settings.nats_url,
        http_url=f"http://{settings.http_host}:{settings.http_port}",
        started_at=datetime.now(UTC),
        embedded=servers.names,
    )


def secret_accepted(settings: Settings, command: str) -> bool:
    """A real instance refuses the public default secret; the demo warns about it."""
    try:
        warning = secret_warning(settings)
    except ConfigError as exc:
        print(f"{command}: {exc}", file=sys.stderr, flush=True)
        return False
    if warning:
        print(warning, file=sys.stderr, flush=True)
    return True


def _env(settings: Settings) -> dict[str, str]:
    return {
        "DATABASE_URL": settings.database_url,
        "NATS_URL": settings.nats_url,
        "TOLLGATE_HTTP_PORT": str(settings.http_port),
        "TOLLGATE_HTTP_HOST": settings.http_host,
        "TOLLGATE_STREAM": settings.stream,
        "TOLLGATE_SUBJECT_ROOT": settings.subject_root,
        "TOLLGATE_DEMO": "1" if settings.demo else "0",
    }


async def _run(settings: Settings, names: list[str], greet: Greet) -> int:
    started = time.monotonic()
    await migrate_all(settings.database_url)
    supervisor = Supervisor(names, _env(settings))
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    supervisor.start()
    try:
        url = f"http://{settings.http_host}:{settings.http_port}"
        if "api" in names and not await _wait_healthy(url, stop):
            print(f"tollgate up: {url}/health did not answer 200; see the api's lines above")
            return 1
        if not stop.is_set():
            for line in await greet(settings, url):
                print(line, flush=True)
            print(f"Tollgate is up in {time.monotonic() - started:.1f}s: {url}", flush=True)
            print("Press Ctrl-C to stop.", flush=True)
        await stop.wait()
    finally:
        print("stopping...", flush=True)
        await supervisor.stop()
    return 0


async def _wait_healthy(url: str, stop: asyncio.Event, timeout: float = 90.0) -> bool:
    """Whether the API answered 200 on /health in time (or a stop came first)."""
    deadline = time.monotonic() + timeout
    async with httpx.AsyncClient() as client:
        while time.monotonic() < deadline and not stop.is_set():
            try:
                if (await client.get(f"{url}/health", timeout=2)).status_code == 200:
                    return True
            except httpx.HTTPError:
                pass
            await asyncio.sleep(0.3)
    return stop.is_set()
