"""A TCP proxy a test puts between a service and PostgreSQL (or NATS) to fake outages."""

from __future__ import annotations

import asyncio
import contextlib
from urllib.parse import urlsplit, urlunsplit

from launch.embedded import free_port


class TcpProxy:
    """Forwards 127.0.0.1:`port` to `upstream`. `cut()` drops every connection and refuses
    new ones (a server gone away); `stall()` drops them and accepts new ones that never
    answer (a network black hole); `restore()` forwards again on the same port."""

    def __init__(self, upstream_host: str, upstream_port: int) -> None:
        self.upstream = (upstream_host, upstream_port)
        self.port = free_port()
        self.forwarding = True
        self._server: asyncio.Server | None = None
        self._writers: set[asyncio.StreamWriter] = set()

    @classmethod
    def before(cls, url: str) -> tuple[TcpProxy, str]:
        """A proxy to the server of `url`, and the same URL going through the proxy."""
        parts = urlsplit(url)
        proxy = cls(parts.hostname or "127.0.0.1", parts.port or 5432)
        credentials = parts.netloc.rpartition("@")[0]
        netloc = (
            f"{credentials}@127.0.0.1:{proxy.port}" if credentials else f"127.0.0.1:{proxy.port}"
        )
        return proxy, urlunsplit(parts._replace(netloc=netloc))

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._accept, "127.0.0.1", self.port)

    async def cut(self) -> None:
        await self.close()

    async def stall(self) -> None:
        self.forwarding = False
        self._drop_all()
        if self._server is None:
            await self.start()

    async def restore(self) -> None:
        self.forwarding = True
        if self._server is None:
            await self.start()

    async def close(self) -> None:
        server, self._server = self._server, None
        if server is not None:
            server.close()
        self._drop_all()
        if server is not None:
            await server.wait_closed()

    def _drop_all(self) -> None:
        for writer in list(self._writers):
            writer.transport.abort()  # a reset, as when the server or the route dies
        self._writers.clear()

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._writers.add(writer)
        if not self.forwarding:  # hold the connection open and say nothing
            with contextlib.suppress(ConnectionError):
                while await reader.read(65536):
                    pass
            return
        try:
            up_reader, up_writer = await asyncio.open_connection(*self.upstream)
        except OSError:
            writer.transport.abort()
            return
        self._writers.add(up_writer)
        await asyncio.gather(_pipe(reader, up_writer), _pipe(up_reader, writer))


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    with contextlib.suppress(ConnectionError, OSError):
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
    writer.transport.abort()
