"""Runs each service as its own process, prefixes its log lines, restarts it when it dies."""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import Mapping

MAX_BACKOFF = 30.0


class Supervisor:
    def __init__(self, names: list[str], env: Mapping[str, str]) -> None:
        self.names = names
        self.env = dict(env)
        self.procs: dict[str, asyncio.subprocess.Process] = {}
        self.state: dict[str, str] = dict.fromkeys(names, "starting")
        self.stopping = False
        self._tasks: list[asyncio.Task[None]] = []

    def start(self) -> None:
        self._tasks = [asyncio.create_task(self._keep_running(n)) for n in self.names]

    async def _keep_running(self, name: str) -> None:
        backoff = 0.5
        width = max(len(n) for n in self.names)
        while not self.stopping:
            proc = await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "launch.cli",
                "service",
                name,
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.STDOUT,
                env={**os.environ, **self.env},
            )
            self.procs[name] = proc
            self.state[name] = f"running (pid {proc.pid})"
            assert proc.stdout is not None
            async for line in proc.stdout:
                print(f"{name:<{width}} | {line.decode(errors='replace').rstrip()}", flush=True)
            code = await proc.wait()
            if self.stopping:
                self.state[name] = "stopped"
                return
            self.state[name] = f"exited with {code}; restarting in {backoff:g}s"
            print(f"{name:<{width}} | {self.state[name]}", flush=True)
            await asyncio.sleep(backoff)
            backoff = min(backoff * 2, MAX_BACKOFF)

    async def stop(self, timeout: float = 10.0) -> None:
        self.stopping = True
        for proc in self.procs.values():
            if proc.returncode is None:
                proc.terminate()
        for proc in self.procs.values():
            try:
                await asyncio.wait_for(proc.wait(), timeout)
            except TimeoutError:
                proc.kill()
                await proc.wait()
        await asyncio.gather(*self._tasks, return_exceptions=True)
