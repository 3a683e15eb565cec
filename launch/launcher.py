"""`tollgate up`: embedded servers when none are configured, then every service supervised.

It refuses at once when its port is taken or its data folder has a running instance, records
its servers' URLs in `<data dir>/instance.json` for the other commands, and on Ctrl-C (or
SIGTERM) stops the API, then the services, then NATS and PostgreSQL, and removes the file.
`--replicas N` runs every service N times (the API replicas on consecutive ports), and
`--nats-cluster 3` a JetStream cluster of three nats-servers with the stream replicated.
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

from infra.migrations import migrate_each
from infra.settings import ConfigError, Settings, secret_warning
from launch import instance
from launch.embedded import (
    port_in_use,
    start_nats,
    start_nats_cluster,
    start_postgres,
    stop_postgres,
)
from launch.supervisor import Supervisor, replicas, service_of

# runs once the API answers; returns lines to print (the demo seeds and lists its sign-ins)
Greet = Callable[[Settings, str], Awaitable[list[str]]]


def up(
    settings: Settings, names: list[str], greet: Greet, *, copies: int = 1, nats_cluster: int = 1
) -> int:
    if not secret_accepted(settings, "tollgate up"):
        return 2
    refused = _refusal(settings, copies if "api" in names else 0) or cluster_refusal(
        settings, nats_cluster
    )
    if refused:
        print(f"tollgate up: {refused}", file=sys.stderr, flush=True)
        return 2
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    if nats_cluster > 1:
        settings = msgspec.structs.replace(settings, stream_replicas=nats_cluster)
    names = replicas(names, copies)
    servers = Embedded(settings.data_dir, nats_cluster)
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


def _refusal(settings: Settings, api_copies: int = 1) -> str | None:
    """Why `tollgate up` cannot start here, before it starts anything."""
    running = instance.running(settings.data_dir)
    if running is not None and running.pid != os.getpid():
        return (
            f"a Tollgate instance is already running in {settings.data_dir} (pid {running.pid},"
            f" {running.http_url}); stop it first, or use another --data-dir"
        )
    for port in api_ports(settings, api_copies):
        if port_in_use(settings.http_host, port):
            return f"port {port} is in use; try --port"
    return None


def api_ports(settings: Settings, copies: int) -> list[int]:
    """The API replicas' ports: --port, and the ones after it."""
    return [settings.http_port + i for i in range(copies)]


PORT = "TOLLGATE_HTTP_PORT"


def api_replicas(settings: Settings, names: list[str]) -> dict[str, dict[str, str]]:
    """Each API replica's own port ("api" on --port, "api#2" on the next, ...)."""
    apis = [n for n in names if service_of(n) == "api"]
    return {n: {PORT: str(p)} for n, p in zip(apis, api_ports(settings, len(apis)), strict=True)}


def cluster_refusal(settings: Settings, size: int) -> str | None:
    """A NATS cluster of our own needs NATS_URL unset, and one data folder holds one kind of
    NATS (switching kinds would leave the stream's history behind)."""
    if size > 1 and settings.nats_url:
        return "--nats-cluster starts its own NATS servers: unset NATS_URL"
    other = "nats" if size > 1 else "nats-cluster"
    if not settings.nats_url and (settings.data_dir / other).is_dir():
        kind = "a single NATS server's" if size > 1 else "a NATS cluster's"
        return (
            f"{settings.data_dir} holds {kind} data; start it as it was started before"
            " (--nats-cluster), or use another --data-dir"
        )
    return None


class Embedded:
    """The servers `tollgate up` starts itself when none are configured; stopped last, NATS
    and then PostgreSQL."""

    def __init__(self, data_dir: Path, nats_cluster: int = 1) -> None:
        self.data_dir = data_dir
        self.nats_cluster = nats_cluster
        self.postgres = False
        self.nats: list[subprocess.Popen[bytes]] = []

    @property
    def names(self) -> tuple[str, ...]:
        return ("postgres",) * self.postgres + ("nats",) * bool(self.nats)

    def start(self, settings: Settings) -> Settings:
        if not settings.database_url:
            url = start_postgres(self.data_dir)
            self.postgres = True
            settings = msgspec.structs.replace(settings, database_url=url)
            print(f"embedded PostgreSQL: {url}", flush=True)
        if not settings.nats_url and self.nats_cluster > 1:
            self.nats, url = start_nats_cluster(self.data_dir, self.nats_cluster)
            settings = msgspec.structs.replace(settings, nats_url=url)
            print(f"embedded NATS cluster of {self.nats_cluster}: {url}", flush=True)
        elif not settings.nats_url:
            server, url = start_nats(self.data_dir)
            self.nats = [server]
            settings = msgspec.structs.replace(settings, nats_url=url)
            print(f"embedded NATS: {url}", flush=True)
        return settings

    def stop(self) -> None:
        running = [n for n in self.nats if n.poll() is None]
        for node in running:
            node.terminate()
        for node in running:
            try:
                node.wait(10)
            except subprocess.TimeoutExpired:
                node.kill()
                node.wait()
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
        "TOLLGATE_STREAM_REPLICAS": str(settings.stream_replicas),
        "TOLLGATE_SUBJECT_ROOT": settings.subject_root,
        "TOLLGATE_DEMO": "1" if settings.demo else "0",
    }


async def _run(settings: Settings, names: list[str], greet: Greet) -> int:
    started = time.monotonic()
    await migrate_each(settings.database_url_for)
    ports = api_replicas(settings, names)
    supervisor = Supervisor(names, _env(settings), own_env=ports)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    supervisor.start()
    try:
        url = f"http://{settings.http_host}:{settings.http_port}"
        urls = [f"http://{settings.http_host}:{p[PORT]}" for p in ports.values()]
        # every replica answers before its URL is printed, not only the first
        healthy = await asyncio.gather(*(_wait_healthy(u, stop) for u in urls))
        if not all(healthy):
            late = ", ".join(f"{u}/health" for u, ok in zip(urls, healthy, strict=True) if not ok)
            print(f"tollgate up: {late} did not answer 200; see the api's lines above")
            return 1
        if not stop.is_set():
            for line in await greet(settings, url):
                print(line, flush=True)
            print(f"Tollgate is up in {time.monotonic() - started:.1f}s: {url}", flush=True)
            if len(urls) > 1:
                print(f"API replicas: {', '.join(urls)}", flush=True)
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
