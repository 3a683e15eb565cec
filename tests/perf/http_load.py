"""Load generators for the HTTP figures: `wrk` (Debian; `make bench` installs it) for reads,
and a small keep-alive HTTP/1.1 client on raw asyncio streams for counted commands (and for
reads where wrk is missing, as in `make test`'s smoke run). The client's own CPU time is
reported, to show it is not the bottleneck."""

from __future__ import annotations

import asyncio
import re
import shutil
import statistics
import subprocess
import tempfile
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


@dataclass(frozen=True)
class Stats:
    rate: float  # requests per second
    p50_ms: float
    p99_ms: float
    errors: int  # non-2xx answers and socket errors
    tool: str
    client_cpu: float = 0.0  # share of one core the load generator itself used


# every request a URL of its own (a query parameter the API ignores): no answer is repeated
DISTINCT_LUA = """
local threads = 0
function setup(thread) threads = threads + 1; thread:set("id", threads) end
local n = 0
function request()
  n = n + 1
  local sep = string.find(wrk.path, "?", 1, true) and "&" or "?"
  return wrk.format(nil, wrk.path .. sep .. "miss=" .. id .. "-" .. n)
end
"""


def wrk(
    url: str, headers: dict[str, str], connections: int, seconds: float, distinct: bool = False
) -> Stats:
    args = ["wrk", "-t2", f"-c{connections}", f"-d{max(int(seconds), 1)}s", "--latency"]
    for name, value in headers.items():
        args += ["-H", f"{name}: {value}"]
    with tempfile.NamedTemporaryFile("w", suffix=".lua") as script:
        script.write(DISTINCT_LUA)
        script.flush()
        args += ["-s", script.name] if distinct else []
        out = subprocess.run([*args, url], capture_output=True, text=True, check=True).stdout
    latency = dict(re.findall(r"^\s+(50|99)%\s+([\d.]+\w+)", out, re.M))
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    socket = re.search(r"Socket errors: (.*)", out)
    errors = int(bad[1]) if bad else 0
    errors += sum(int(n) for n in re.findall(r"\d+", socket[1])) if socket else 0
    return Stats(
        rate=float(re.search(r"Requests/sec:\s+([\d.]+)", out)[1]),  # type: ignore[index]
        p50_ms=_ms(latency["50"]), p99_ms=_ms(latency["99"]), errors=errors, tool="wrk",
    )  # fmt: skip


def _ms(value: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(\w+)", value).groups()  # type: ignore[union-attr]
    return float(number) * UNITS[unit]


def load(
    url: str, headers: dict[str, str], connections: int, seconds: float, distinct: bool = False
) -> Stats:
    """GETs for `seconds`: with wrk when installed, else with the asyncio client; `distinct`:
    each request a URL of its own."""
    if shutil.which("wrk"):
        return wrk(url, headers, connections, seconds, distinct)
    return asyncio.run(hammer(url, headers, connections, seconds=seconds, distinct=distinct))


async def hammer(
    url: str, headers: dict[str, str], connections: int, *, seconds: float | None = None,
    count: int | None = None, method: str = "GET", body: bytes = b"", distinct: bool = False,
) -> Stats:  # fmt: skip
    """Keep-alive requests on `connections` connections, for `seconds` or `count` requests;
    `distinct`: each request a URL of its own."""
    parts = urlsplit(url)
    target = f"{parts.path}{'?' + parts.query if parts.query else ''}"
    rest = [f"Host: {parts.netloc}", f"Content-Length: {len(body)}",
            *(f"{k}: {v}" for k, v in headers.items())]  # fmt: skip
    numbers = iter(range(1 << 62))

    def encoded(path: str) -> bytes:
        return ("\r\n".join([f"{method} {path} HTTP/1.1", *rest]) + "\r\n\r\n").encode() + body

    same = encoded(target)

    def request() -> bytes:
        return (
            encoded(f"{target}{'&' if parts.query else '?'}miss={next(numbers)}")
            if distinct
            else same
        )

    latencies: list[float] = []
    errors = 0
    left = count if count is not None else -1
    deadline = time.monotonic() + (seconds or 1e9)

    async def client() -> None:
        nonlocal errors, left
        reader, writer = await asyncio.open_connection(parts.hostname, parts.port)
        while left != 0 and time.monotonic() < deadline:
            left -= 1
            sent = time.perf_counter()
            writer.write(request())
            head = await reader.readuntil(b"\r\n\r\n")
            size = re.search(rb"(?i)content-length:\s*(\d+)", head)
            await reader.readexactly(int(size[1]) if size else 0)
            latencies.append((time.perf_counter() - sent) * 1000)
            errors += not head.startswith((b"HTTP/1.1 2", b"HTTP/1.0 2"))
        writer.close()

    cpu, began = time.process_time(), time.perf_counter()
    await asyncio.gather(*(client() for _ in range(connections)))
    wall = time.perf_counter() - began
    q = statistics.quantiles(latencies, n=100) if len(latencies) > 1 else latencies * 99
    return Stats(rate=len(latencies) / wall, p50_ms=q[49], p99_ms=q[98], errors=errors,
                 tool="python", client_cpu=(time.process_time() - cpu) / wall)  # fmt: skip
