"""A JetStream cluster of three nats-servers on loopback, of the test's own (its ports and
stores), never the machine's NATS. Nodes can be SIGKILLed and restarted; `/jsz` on their
monitoring ports says which node leads a stream and whether its replicas are current."""

from __future__ import annotations

import asyncio
import contextlib
import signal
import time
from pathlib import Path
from typing import Any

import httpx

from launch.embedded import Node, cluster_args, cluster_nodes, nats_server_binary


class NatsCluster:
    def __init__(self, data_dir: Path, size: int = 3) -> None:
        self.data_dir = data_dir
        self.nodes = {n.name: n for n in cluster_nodes(size)}
        self.url = ",".join(n.url for n in self.nodes.values())
        self.procs: dict[str, asyncio.subprocess.Process] = {}

    async def start(self, *names: str, timeout: float = 15.0) -> None:
        """Start the named nodes (all by default) and wait until they listen."""
        for name in names or tuple(self.nodes):
            node = self.nodes[name]
            store = self.data_dir / name
            store.mkdir(parents=True, exist_ok=True)
            routes = [n.route for n in self.nodes.values() if n != node]
            with (self.data_dir / f"{name}.log").open("ab") as log:
                self.procs[name] = await asyncio.create_subprocess_exec(
                    nats_server_binary(),
                    *cluster_args(node, store, routes),
                    stdout=log,
                    stderr=asyncio.subprocess.STDOUT,
                )
        deadline = time.monotonic() + timeout
        for name in names or tuple(self.nodes):
            # JetStream takes no stream until the cluster elected its meta leader
            while not ((await self.info(name)) or {}).get("meta_cluster", {}).get("leader"):
                if self.procs[name].returncode is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"nats-server {name} did not start; see {self.data_dir}")
                await asyncio.sleep(0.05)

    async def kill(self, name: str) -> None:
        proc = self.procs.pop(name)
        if proc.returncode is None:
            proc.send_signal(signal.SIGKILL)
        await proc.wait()

    async def stop(self) -> None:
        for proc in self.procs.values():
            if proc.returncode is None:
                proc.terminate()
        for proc in self.procs.values():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(proc.wait(), 20)
            if proc.returncode is None:
                proc.kill()
                await proc.wait()
        self.procs.clear()

    async def info(self, name: str) -> dict[str, Any] | None:
        """The node's /jsz with stream details, None when it does not answer."""
        node: Node = self.nodes[name]
        try:
            async with httpx.AsyncClient(timeout=1) as client:
                url = f"http://127.0.0.1:{node.monitor}/jsz?streams=true"
                answer: dict[str, Any] = (await client.get(url)).json()
        except (httpx.HTTPError, ValueError):
            return None
        return answer

    async def stream_cluster(
        self, stream: str, nodes: list[str] | None = None
    ) -> dict[str, Any] | None:
        """The stream's cluster view (leader and replicas) from the first of `nodes` (the
        running ones) that knows a leader."""
        for name in nodes or list(self.procs):
            info = await self.info(name) or {}
            for account in info.get("account_details", []):
                for detail in account.get("stream_detail", []):
                    view = detail.get("cluster", {})
                    if detail.get("name") == stream and view.get("leader"):
                        return dict(view)
        return None

    async def leader(self, stream: str) -> str | None:
        view = await self.stream_cluster(stream)
        return str(view["leader"]) if view else None

    async def wait_for_leader(self, stream: str, timeout: float = 30.0) -> str:
        """The stream's leader among the running nodes, once there is one."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            leader = await self.leader(stream)
            if leader in self.procs:
                return leader
            await asyncio.sleep(0.1)
        raise TimeoutError(f"no leader of {stream} among {sorted(self.procs)} after {timeout:g}s")

    async def wait_until_current(self, stream: str, timeout: float = 60.0) -> None:
        """Every running node holds a current replica of the stream, as its leader sees it
        (a follower does not know how far the others are)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            leader = await self.leader(stream)
            view = await self.stream_cluster(stream, [leader]) if leader in self.procs else None
            view = view or {}
            current = {r["name"] for r in view.get("replicas", []) if r.get("current")}
            if view.get("leader") in self.procs and set(self.procs) <= current | {view["leader"]}:
                return
            await asyncio.sleep(0.2)
        raise TimeoutError(f"the replicas of {stream} were not current after {timeout:g}s")
