"""The command line finds the instance `tollgate up` runs in its data folder, and `tollgate up`
starts and stops as a person at a terminal expects.

One `tollgate up --no-demo` with embedded servers, its data folder named by
TOLLGATE_DATA_DIR, runs in a session of its own (as a terminal's foreground job). Other
commands, with DATABASE_URL and NATS_URL unset, use its servers; a second `up` on its port
or in its folder is refused at once; a SIGINT to its whole process group stops everything
with no traceback; then the commands refuse, saying what to set.
"""

from __future__ import annotations

import asyncio
import os
import re
import signal
import stat
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import msgspec
import psutil
import pytest
import pytest_asyncio

from launch.embedded import free_port

pytestmark = pytest.mark.asyncio(loop_scope="session")


class Up(msgspec.Struct):
    proc: asyncio.subprocess.Process
    data_dir: Path
    port: int
    env: dict[str, str]
    seen: list[str]


def bare_env(data_dir: Path) -> dict[str, str]:
    """This machine's environment without its servers, and a data folder of the test's own."""
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "NATS_URL")}
    return {**env, "TOLLGATE_DATA_DIR": str(data_dir), "TOLLGATE_SECRET": "cli-test-secret"}


async def tollgate(env: dict[str, str], *args: str, timeout: float = 60) -> tuple[int, str, str]:
    """Run one `tollgate` command; its exit status, stdout and stderr."""
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "launch.cli",
        *args,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(proc.communicate(), timeout)
    assert proc.returncode is not None
    return proc.returncode, out.decode(), err.decode()


async def read_until(up: Up, marker: str) -> None:
    assert up.proc.stdout is not None
    while True:
        line = (await up.proc.stdout.readline()).decode()
        if not line:
            raise AssertionError("tollgate up ended early:\n" + "".join(up.seen[-40:]))
        up.seen.append(line)
        if marker in line:
            return


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def up(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Up]:
    data_dir = tmp_path_factory.mktemp("instance") / "data"
    env, port = bare_env(data_dir), free_port()
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "launch.cli",
        "up",
        "--no-demo",
        "--port",
        str(port),
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
        start_new_session=True,
    )
    running = Up(proc, data_dir, port, env, [])
    try:
        await asyncio.wait_for(read_until(running, "Tollgate is up"), 120)
        yield running
    finally:
        if proc.returncode is None:  # a test failed before the clean stop: no leftovers
            for child in psutil.Process(proc.pid).children(recursive=True):
                child.kill()
            proc.kill()
            await proc.wait()


async def test_up_records_its_servers_in_the_data_folder_for_its_owner_only(up: Up):
    path = up.data_dir / "instance.json"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    recorded = msgspec.json.decode(path.read_bytes())
    assert recorded["pid"] == up.proc.pid
    assert recorded["http_url"] == f"http://127.0.0.1:{up.port}"
    assert set(recorded["embedded"]) == {"postgres", "nats"}
    assert recorded["nats_url"].startswith("nats://127.0.0.1:")


async def test_users_add_uses_the_running_instance_and_its_token_works(up: Up):
    code, out, err = await tollgate(up.env, "users", "add", "alice", "--role", "admin")
    assert code == 0, err
    token = re.findall(r"^tg_\S+$", out, re.MULTILINE)[-1]
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{up.port}") as client:
        users = await client.get("/api/v1/users", headers={"Authorization": f"Bearer {token}"})
    assert users.status_code == 200, users.text
    assert "alice" in users.text


async def test_projection_rebuild_uses_the_running_instance(up: Up):
    code, _, err = await tollgate(up.env, "projection", "rebuild")
    assert code == 0, err


async def test_a_taken_port_stops_up_at_once_before_starting_anything(up: Up, tmp_path: Path):
    other = tmp_path / "other"
    code, _, err = await tollgate(bare_env(other), "up", "--port", str(up.port), timeout=20)
    assert code == 2
    assert f"port {up.port} is in use; try --port" in err
    assert not other.exists()


async def test_a_second_up_in_the_same_data_folder_is_refused(up: Up):
    code, _, err = await tollgate(up.env, "up", "--port", str(free_port()), timeout=20)
    assert code == 2 and f"already running in {up.data_dir} (pid {up.proc.pid}" in err


async def test_sigint_to_the_process_group_stops_everything_without_a_traceback(up: Up):
    children = psutil.Process(up.proc.pid).children(recursive=True)
    assert len(children) >= 8  # seven services and NATS; PostgreSQL runs in a session of its own
    os.killpg(up.proc.pid, signal.SIGINT)  # what Ctrl-C in a terminal does
    assert up.proc.stdout is not None
    rest = await asyncio.wait_for(up.proc.stdout.read(), 60)
    output = "".join(up.seen) + rest.decode()
    assert await up.proc.wait() == 0
    assert "Traceback" not in output and "Error" not in output, output[-3000:]
    assert output.rstrip().endswith("stopped")
    _, alive = psutil.wait_procs(children, timeout=10)
    assert not alive, f"left running: {[p.cmdline() for p in alive]}"
    assert not (up.data_dir / "instance.json").exists()
    code, _, err = await tollgate(up.env, "users", "add", "bob", "--role", "viewer")
    assert code == 3 and "no Tollgate instance is running" in err and "Traceback" not in err


async def test_with_nothing_running_a_command_refuses_and_says_what_to_set(tmp_path: Path):
    code, out, err = await tollgate(bare_env(tmp_path), "users", "add", "x", "--role", "admin")
    assert (code, out) == (3, "")
    assert "DATABASE_URL is not set and no Tollgate instance is running" in err
    assert "`tollgate up`" in err and "Traceback" not in err


async def test_an_instance_that_did_not_stop_cleanly_is_not_used(tmp_path: Path):
    gone = await asyncio.create_subprocess_exec("true")
    await gone.wait()
    record = {
        "pid": gone.pid,
        "database_url": "postgresql://postgres@127.0.0.1:5432/postgres",
        "nats_url": "nats://127.0.0.1:4222",
        "http_url": "http://127.0.0.1:1",
        "started_at": "2026-01-01T00:00:00Z",
    }
    (tmp_path / "instance.json").write_bytes(msgspec.json.encode(record))
    code, _, err = await tollgate(bare_env(tmp_path), "projection", "rebuild")
    assert code == 3 and f"pid {gone.pid}) is not running" in err


async def test_a_server_that_does_not_answer_is_named_with_the_variable_to_set(tmp_path: Path):
    env = {**bare_env(tmp_path), "DATABASE_URL": "postgresql://postgres:hush@127.0.0.1:1/db"}
    code, _, err = await tollgate(env, "migrate")
    assert code == 3 and "Traceback" not in err
    assert "cannot reach PostgreSQL at postgresql://postgres:***@127.0.0.1:1/db" in err
    assert "Set DATABASE_URL" in err and "hush" not in err


@pytest.mark.parametrize(
    ("variable", "value"),
    [("TOLLGATE_HTTP_PORT", "eighty"), ("TOLLGATE_DEMO", "maybe"), ("NATS_URL", "localhost")],
)
async def test_a_bad_variable_stops_the_command_naming_the_variable(
    tmp_path: Path, variable: str, value: str
):
    code, _, err = await tollgate({**bare_env(tmp_path), variable: value}, "migrate")
    assert code == 2 and err.startswith(f"tollgate: bad configuration: {variable}: ")
