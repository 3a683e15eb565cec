"""What `tollgate up`, `migrate`, `projection rebuild`, `users add` and `demo` do."""

from __future__ import annotations

import argparse
import asyncio
import signal
import subprocess
import time
from importlib import resources

import httpx
import msgspec

from infra.db import connect
from infra.embedded import start_nats, start_postgres
from infra.migrations import migrate
from infra.settings import Settings
from infra.supervisor import Supervisor

STAGE_SCHEMAS = ("ideation", "poc", "pilot", "mvp")


def schemas() -> list[tuple[str, str]]:
    """(schema, migration kind) for every schema whose migrations exist."""
    sql = resources.files("infra") / "sql"
    pairs = [(s, "eventstore") for s in STAGE_SCHEMAS]
    pairs += [(k, k) for k in ("projection", "api") if (sql / k).is_dir()]
    return pairs


async def migrate_all(settings: Settings) -> None:
    conn = await connect(settings.database_url)
    try:
        for schema, kind in schemas():
            await migrate(conn, schema, kind)
    finally:
        await conn.close()


def dispatch(args: argparse.Namespace, settings: Settings) -> int:
    if args.cmd == "up":
        return up(args, settings)
    if args.cmd == "migrate":
        asyncio.run(migrate_all(settings))
        print("migrations applied")
        return 0
    if args.cmd == "projection":
        from services.projection.rebuild import rebuild_cli

        return asyncio.run(rebuild_cli(settings))
    if args.cmd == "users":
        from api.users import add_user_cli

        return asyncio.run(add_user_cli(settings, args.name, args.role, args.kind, args.password))
    if args.cmd == "demo":
        from infra.demo import seed_cli

        return asyncio.run(seed_cli(settings))
    return 2


def up(args: argparse.Namespace, settings: Settings) -> int:
    changes: dict[str, object] = {}
    if args.data_dir:
        changes["data_dir"] = args.data_dir
    if args.port:
        changes["http_port"] = args.port
    if args.no_demo:
        changes["demo"] = False
    settings = msgspec.structs.replace(settings, **changes)
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
        asyncio.run(_run(settings))
    finally:
        if nats_proc is not None:
            nats_proc.terminate()
            nats_proc.wait(10)
    return 0


async def _run(settings: Settings) -> None:
    from infra.cli import available_services

    started = time.monotonic()
    await migrate_all(settings)
    env = {
        "DATABASE_URL": settings.database_url,
        "NATS_URL": settings.nats_url,
        "TOLLGATE_HTTP_PORT": str(settings.http_port),
        "TOLLGATE_HTTP_HOST": settings.http_host,
        "TOLLGATE_STREAM": settings.stream,
        "TOLLGATE_SUBJECT_ROOT": settings.subject_root,
    }
    names = available_services()
    supervisor = Supervisor(names, env)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    supervisor.start()
    try:
        url = f"http://{settings.http_host}:{settings.http_port}"
        if "api" in names:
            await _wait_healthy(url, stop)
            await _greet(settings, url)
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


async def _greet(settings: Settings, url: str) -> None:
    """Seed the demo into an empty store and print the demo sign-ins."""
    try:
        from infra.demo import ensure_demo
    except ImportError:
        return
    for line in await ensure_demo(settings, url):
        print(line, flush=True)
