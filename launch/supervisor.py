"""Runs each service as its own process, prefixes its log lines, restarts it when it dies.

Every service runs in a process group of its own, so a Ctrl-C in the terminal reaches only
`tollgate up`, which stops the API first and then the other services (SIGTERM, then
SIGKILL after a timeout). A service that dies is restarted after a delay that doubles up to
30 s and starts again from 0.5 s once a run has lasted a healthy minute. "poc#2" names the
second replica of poc; a replica may get environment variables of its own (an API port).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import sys
import time
from collections.abc import Callable, Mapping

FIRST_DELAY = 0.5
MAX_DELAY = 30.0
HEALTHY_SECONDS = 60.0
STOP_FIRST = ("api",)  # no new requests while the services behind them stop


def service_of(name: str) -> str:
    """The service a replica runs: "poc#2" -> "poc"."""
    return name.split("#", 1)[0]


def replicas(services: list[str], count: int) -> list[str]:
    """Every service `count` times: "poc", "poc#2", ..."""
    return [n if i == 1 else f"{n}#{i}" for n in services for i in range(1, count + 1)]


class Backoff:
    """The restart delay of one service: doubling while it keeps dying soon after a start,
    back to the first delay after a run of `healthy` seconds."""

    def __init__(
        self,
        clock: Callable[[], float] = time.monotonic,
        first: float = FIRST_DELAY,
        longest: float = MAX_DELAY,
        healthy: float = HEALTHY_SECONDS,
    ) -> None:
        self.clock, self.first, self.longest, self.healthy = clock, first, longest, healthy
        self.delay = first
        self.started_at = clock()

    def started(self) -> None:
        self.started_at = self.clock()

    def exited(self) -> float:
        """The delay before the next start, given when the process that just exited started."""
        if self.clock() - self.started_at >= self.healthy:
            self.delay = self.first
        delay, self.delay = self.delay, min(self.delay * 2, self.longest)
        return delay


class Supervisor:
    def __init__(
        self,
        names: list[str],
        env: Mapping[str, str],
        clock: Callable[[], float] = time.monotonic,
        own_env: Mapping[str, Mapping[str, str]] | None = None,
    ) -> None:
        self.names = names
        self.env = dict(env)
        self.own_env = dict(own_env or {})  # name -> variables of that replica only
        self.clock = clock
        self.procs: dict[str, asyncio.subprocess.Process] = {}
        self.state: dict[str, str] = dict.fromkeys(names, "starting")
        self.stopping = False
        self._stopped = asyncio.Event()  # wakes the services waiting to be restarted
        self._tasks: dict[str, asyncio.Task[None]] = {}

    def start(self) -> None:
        self._tasks = {n: asyncio.create_task(self._keep_running(n)) for n in self.names}

    async def _keep_running(self, name: str) -> None:
        backoff = Backoff(self.clock)
        while not self.stopping:
            backoff.started()
            code = await self._run_once(name)
            if self.stopping:
                self.state[name] = "stopped"
                return
            delay = backoff.exited()
            self.state[name] = f"exited with {code}; restarting in {delay:g}s"
            self._print(name, self.state[name])
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopped.wait(), delay)

    async def _run_once(self, name: str) -> int:
        proc = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "launch.cli",
            "service",
            service_of(name),
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
            env={**os.environ, **self.env, **self.own_env.get(name, {})},
            process_group=0,
        )
        self.procs[name] = proc
        self.state[name] = f"running (pid {proc.pid})"
        if self.stopping:  # started while stop() was stopping the others
            proc.terminate()
        assert proc.stdout is not None
        async for line in proc.stdout:
            self._print(name, line.decode(errors="replace").rstrip())
        return await proc.wait()

    def _print(self, name: str, text: str) -> None:
        width = max(len(n) for n in self.names)
        print(f"{name:<{width}} | {text}", flush=True)

    async def stop(self, timeout: float = 10.0) -> None:
        """Stop the API, then every other service; none is restarted any more."""
        self.stopping = True
        self._stopped.set()
        first = [n for n in self.names if service_of(n) in STOP_FIRST]
        await self._stop([n for n in first if n in self.procs], timeout)
        await self._stop([n for n in self.procs if n not in first], timeout)
        if not self._tasks:
            return
        _, late = await asyncio.wait(self._tasks.values(), timeout=timeout)
        await self._stop(list(self.procs), timeout)  # one started while the others stopped
        for task in late:
            task.cancel()
        await asyncio.gather(*self._tasks.values(), return_exceptions=True)

    async def _stop(self, names: list[str], timeout: float) -> None:
        procs = [self.procs[n] for n in names if self.procs[n].returncode is None]
        for proc in procs:
            with contextlib.suppress(ProcessLookupError):
                proc.terminate()
        for proc in procs:
            try:
                await asyncio.wait_for(proc.wait(), timeout)
            except TimeoutError:
                with contextlib.suppress(ProcessLookupError):
                    proc.kill()
                await proc.wait()
