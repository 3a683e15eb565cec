"""`tollgate service api`: the app under uvicorn until `stop` is set."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
from collections.abc import Iterator
from typing import Any

import uvicorn

from infra import logs
from infra.settings import Settings
from web.app import create_web_app

log = logging.getLogger(__name__)


class _Server(uvicorn.Server):
    """The caller owns the signals (it sets `stop`); uvicorn must not re-raise them."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


def server_config(app: Any, host: str, port: int) -> uvicorn.Config:
    """How the API is served; the benchmarks serve their bare baseline app the same way."""
    return uvicorn.Config(
        app, host=host, port=port, log_level="warning", lifespan="on", http="httptools",
        timeout_graceful_shutdown=5,
    )  # fmt: skip


async def main(settings: Settings, stop: asyncio.Event) -> None:
    config = server_config(create_web_app(settings), settings.http_host, settings.http_port)
    gc.collect()  # the app lives as long as the process: out of the cyclic collector's walks
    gc.freeze()
    logs.use_format(settings.log_format, "api", loggers=("uvicorn", "uvicorn.access"))
    server = _Server(config)
    serving = asyncio.create_task(server.serve())
    stopping = asyncio.create_task(stop.wait())
    await asyncio.wait({serving, stopping}, return_when=asyncio.FIRST_COMPLETED)
    server.should_exit = True
    stopping.cancel()
    await serving
    if not server.started:
        raise RuntimeError(f"the API could not start on {settings.http_host}:{settings.http_port}")
