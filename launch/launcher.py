"""`tollgate up`: embedded servers when none are configured, then every service supervised."""

from __future__ import annotations

import asyncio
import signal
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable

import httpx
import msgspec

from infra.migrations import migrate_all
from infra.settings import ConfigError, Settings, secret_warning
from launch.embedded import start_nats, start_postgres
from launch.supervisor import Supervisor

# runs once the API answers; returns lines to print (the demo seeds and lists its sign-ins)
Greet = Callable[[Settings, str], Awaitable[list[str]]]


def up(settings: Settings, names: list[str], greet: Greet) -> int:
    if not secret_accepted(settings, "tollgate up"):
        return 2
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    nats_proc: subprocess.Popen[bytes] | None = None
    if not settings.database_url:
        settings = msgspec.structs.replace(settings, database_url=start_postgres(settings.data_dir))
        print(f"embedded PostgreSQL: {settings.database_url}", flush=True)
    if not settings.nats_url:
        nats_proc, url = start_nats(settings.data_dir)
        settings = msgspec.structs.replace(settings, nats_url=url)
        print(f"embedded NATS: {url}", flush=True)
    try:
        asyncio.run(_run(settings, names, greet))
    finally:
        if nats_proc is not None:
            nats_proc.terminate()
            nats_proc.wait(10)
    return 0


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


async def _run(settings: Settings, names: list[str], greet: Greet) -> None:
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
        if "api" in names:
            await _wait_healthy(url, stop)
            for line in await greet(settings, url):
                print(line, flush=True)
        print(f"Tollgate is up in {time.monotonic() - started:.1f}s: {url}", flush=True)
        print("Press Ctrl-C to stop.", flush=True)
        await stop.wait()
    finally:
        print("stopping...", flush=True)
        await supervisor.stop()


async def _wait_healthy(url: str, stop: asyncio.Event, timeout: float = 90.0) -> None:
    deadline = time.monotonic() + timeout
    async with httpx.AsyncClient() as client:
        while time.monotonic() < deadline and not stop.is_set():
            try:
                if (await client.get(f"{url}/health", timeout=2)).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            await asyncio.sleep(0.3)
    if not stop.is_set():
        raise TimeoutError(f"{url}/health did not answer 200 within {timeout:g}s")
