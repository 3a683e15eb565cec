"""A minimal HTTP server on a loopback address that records each POST it gets."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from launch.embedded import free_port


class Receiver:
    """Fails the first `failures` POSTs with a 503, or answers every one with `redirect_to`
    (a 307), else 204. `connections` counts every TCP connection, even one sending nothing."""

    def __init__(self, failures: int = 0, host: str = "127.0.0.1", redirect_to: str = "") -> None:
        self.failures = failures
        self.redirect_to = redirect_to
        self.calls = 0
        self.connections = 0
        self.received: list[tuple[dict[str, str], bytes]] = []
        self.host = host
        self.port = free_port()
        self.url = f"http://{host}:{self.port}/hook"

    async def __aenter__(self) -> Receiver:
        self.server = await asyncio.start_server(self.handle, self.host, self.port)
        return self

    async def __aexit__(self, *_: object) -> None:
        self.server.close()
        await self.server.wait_closed()

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        head = (await reader.readuntil(b"\r\n\r\n")).decode().split("\r\n")
        headers = {k.lower(): v.strip() for k, _, v in (h.partition(":") for h in head[1:] if h)}
        body = await reader.readexactly(int(headers.get("content-length", "0")))
        self.calls += 1
        status, extra = "204 No Content", ""
        if self.redirect_to:
            status, extra = "307 Temporary Redirect", f"location: {self.redirect_to}\r\n"
        elif self.calls <= self.failures:
            status = "503 Service Unavailable"
        else:
            self.received.append((headers, body))
        writer.write(
            f"HTTP/1.1 {status}\r\n{extra}content-length: 0\r\nconnection: close\r\n\r\n".encode()
        )
        await writer.drain()
        writer.close()

    def events(self) -> list[dict[str, Any]]:
        return [json.loads(body) for _, body in self.received]
