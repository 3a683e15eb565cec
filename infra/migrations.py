"""A small migration runner: numbered SQL files per kind, applied once per schema.

Files live in infra/sql/<kind>/NNN_name.sql and may use `{schema}`. Applied
versions are recorded in <schema>.migrations; an advisory lock serialises
concurrent starters (several replicas migrating at once).
"""

from __future__ import annotations

from collections.abc import Callable
from importlib import resources

from infra.db import Connection, connect

KINDS = ("eventstore", "projection", "api")
# (schema, kind): each event-sourced service's store, the read models, the API's tables
SCHEMAS = (
    *((name, "eventstore") for name in ("ideation", "poc", "pilot", "mvp", "agents", "trends")),
    ("projection", "projection"),
    ("api", "api"),
)


def _files(kind: str) -> list[tuple[str, str]]:
    folder = resources.files("infra") / "sql" / kind
    names = sorted(p.name for p in folder.iterdir() if p.name.endswith(".sql"))
    return [(name, (folder / name).read_text()) for name in names]


async def migrate_at(database_url: str, schema: str, kind: str) -> list[str]:
    """Migrate one schema over a connection of its own (a service's start-up)."""
    conn = await connect(database_url)
    try:
        return await migrate(conn, schema, kind)
    finally:
        await conn.close()


async def migrate(conn: Connection, schema: str, kind: str) -> list[str]:
    """Apply the pending migrations of `kind` to `schema`; returns the applied names."""
    applied: list[str] = []
    async with conn.transaction():
        await conn.execute("SELECT pg_advisory_xact_lock(hashtext($1))", f"migrate:{schema}")
        await conn.execute(f"CREATE SCHEMA IF NOT EXISTS {schema}")
        await conn.execute(
            f"CREATE TABLE IF NOT EXISTS {schema}.migrations "
            "(name text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())"
        )
        done = {r["name"] for r in await conn.fetch(f"SELECT name FROM {schema}.migrations")}
        for name, sql in _files(kind):
            if name in done:
                continue
            await conn.execute(sql.replace("{schema}", schema))
            await conn.execute(f"INSERT INTO {schema}.migrations (name) VALUES ($1)", name)
            applied.append(name)
    return applied


async def migrate_all(database_url: str) -> None:
    """Apply the pending migrations of every schema."""
    await migrate_each(lambda _schema: database_url)


async def migrate_each(database_url_of: Callable[[str], str]) -> None:
    """Apply every schema's pending migrations in the database of the service it belongs to
    (each schema is named after its service), one connection per database."""
    by_url: dict[str, list[tuple[str, str]]] = {}
    for schema, kind in SCHEMAS:
        by_url.setdefault(database_url_of(schema), []).append((schema, kind))
    for url, schemas in by_url.items():
        conn = await connect(url)
        try:
            for schema, kind in schemas:
                await migrate(conn, schema, kind)
        finally:
            await conn.close()
