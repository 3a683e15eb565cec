"""The HTTP baseline: a bare Litestar handler returning a msgspec Struct, served by uvicorn
with the API's own configuration (api.main.server_config). `python -m tests.perf.bare_api PORT`."""

from __future__ import annotations

import sys
from datetime import UTC, datetime

import msgspec
import uvicorn
from litestar import Litestar, get

from api.main import server_config


class Answer(msgspec.Struct, frozen=True, kw_only=True):
    initiative_id: str
    title: str
    stage: str
    status: str
    updated_at: datetime
    tags: tuple[str, ...]


ANSWER = Answer(initiative_id="bench", title="A bare handler", stage="poc", status="active",
                updated_at=datetime(2026, 1, 1, tzinfo=UTC), tags=("a", "b"))  # fmt: skip


@get("/bare", sync_to_thread=False)
def bare() -> Answer:
    return ANSWER


app = Litestar(route_handlers=[bare])

if __name__ == "__main__":
    uvicorn.Server(server_config(app, "127.0.0.1", int(sys.argv[1]))).run()
