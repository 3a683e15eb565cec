"""The instance of a data folder: `tollgate up` records the URLs of its servers in
`<data dir>/instance.json` (mode 0600: the URLs may hold passwords) and removes the file on
a clean stop. Every other command takes DATABASE_URL / NATS_URL from there when they are
unset and that instance still runs and answers; otherwise it refuses, saying what to set,
and never falls back to some other server.
"""

from __future__ import annotations

import contextlib
import os
from datetime import datetime
from pathlib import Path

import msgspec

from infra import reach
from infra.settings import Settings

FILE = "instance.json"
FIELDS = {"DATABASE_URL": "database_url", "NATS_URL": "nats_url"}
NAMES = {"DATABASE_URL": "PostgreSQL", "NATS_URL": "NATS"}


class Unreachable(Exception):
    """The command cannot have its servers; the message says what was tried and what to do."""


class Instance(msgspec.Struct, frozen=True, kw_only=True):
    pid: int  # the `tollgate up` process
    database_url: str
    nats_url: str
    http_url: str
    started_at: datetime
    embedded: tuple[str, ...] = ()  # the servers `tollgate up` started itself


def path(data_dir: Path) -> Path:
    return data_dir / FILE


def record(data_dir: Path, instance: Instance) -> None:
    """Write instance.json readable by its owner only, replacing it in one step."""
    temporary = data_dir / f".{FILE}.{os.getpid()}"
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(msgspec.json.format(msgspec.json.encode(instance)) + b"\n")
    os.replace(temporary, path(data_dir))


def forget(data_dir: Path) -> None:
    """Remove instance.json if it is this process's own (a clean stop)."""
    found = read(data_dir)
    if found is not None and found.pid == os.getpid():
        path(data_dir).unlink(missing_ok=True)


def read(data_dir: Path) -> Instance | None:
    try:
        return msgspec.json.decode(path(data_dir).read_bytes(), type=Instance)
    except (OSError, msgspec.DecodeError):
        return None


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: it exists
        return True
    return True


def running(data_dir: Path) -> Instance | None:
    """The instance recorded in the data folder while its `tollgate up` process lives."""
    found = read(data_dir)
    return found if found is not None and alive(found.pid) else None


async def resolve(settings: Settings, needs: tuple[str, ...]) -> Settings:
    """`settings` with each needed, unset URL taken from the data folder's running instance,
    once every needed server has answered; Unreachable otherwise."""
    unset = [var for var in needs if not getattr(settings, FIELDS[var])]
    instance = _instance_for(settings.data_dir, unset) if unset else None
    if instance is not None:
        found = {FIELDS[var]: getattr(instance, FIELDS[var]) for var in unset}
        settings = msgspec.structs.replace(settings, **found)
    for var in needs:
        url = getattr(settings, FIELDS[var])
        check = reach.database_problem if var == "DATABASE_URL" else reach.broker_problem
        problem = await check(url)
        if problem is not None:
            raise Unreachable(_unanswered(var, url, problem, instance if var in unset else None))
    return settings


def _instance_for(data_dir: Path, unset: list[str]) -> Instance:
    names = " and ".join(unset)
    where = path(data_dir)
    found = read(data_dir)
    if found is None:
        raise Unreachable(
            f"{names} {'is' if len(unset) == 1 else 'are'} not set and no Tollgate instance"
            f" is running in {data_dir} (no {where}). Start one with `tollgate up` (with"
            f" TOLLGATE_DATA_DIR or --data-dir pointing at its folder), or set {names}."
        )
    if not alive(found.pid):
        raise Unreachable(
            f"{names} {'is' if len(unset) == 1 else 'are'} not set and the Tollgate instance"
            f" recorded in {where} (`tollgate up`, pid {found.pid}) is not running: it did not"
            f" stop cleanly. Start it again with `tollgate up`, or set {names}."
        )
    return found


def _unanswered(var: str, url: str, problem: str, instance: Instance | None) -> str:
    server = f"{NAMES[var]} at {reach.shown(url)}"
    if instance is not None:
        return (
            f"the Tollgate instance of pid {instance.pid} is running, but its {server} does not"
            f" answer ({problem}). Restart `tollgate up`, or set {var}."
        )
    return f"cannot reach {server} ({problem}). Set {var} to a running server."


def remove_stale(data_dir: Path) -> None:
    """Drop an instance.json whose `tollgate up` is gone (it was not stopped cleanly)."""
    found = read(data_dir)
    if found is not None and not alive(found.pid):
        with contextlib.suppress(OSError):
            path(data_dir).unlink()
