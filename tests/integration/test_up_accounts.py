"""`tollgate up` and its users, as real processes with embedded servers: a real instance
starts with no users and refuses the default secret; the demo's users are made at the first
start only; what an admin set survives a restart."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import sys
from pathlib import Path

import httpx

from launch.demo import PASSWORD
from launch.embedded import free_port

SECRET = "a-secret-of-this-test"


class Up:
    """One `tollgate up` process; its output is read as it comes."""

    def __init__(self, proc: asyncio.subprocess.Process, port: int) -> None:
        self.proc, self.url, self.lines = proc, f"http://127.0.0.1:{port}", list[str]()
        self.reader = asyncio.create_task(self._read())

    @classmethod
    async def start(cls, data: Path, port: int, env: dict[str, str], *flags: str) -> Up:
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "launch.cli", "up", "--data-dir", str(data),
            "--port", str(port), *flags, env=env,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
        )  # fmt: skip
        up = cls(proc, port)
        await up.until("Tollgate is up")
        return up

    async def _read(self) -> None:
        assert self.proc.stdout is not None
        while line := await self.proc.stdout.readline():
            self.lines.append(line.decode())

    @property
    def text(self) -> str:
        return "".join(self.lines)

    async def until(self, marker: str, timeout: float = 150) -> None:
        async def seen() -> None:
            while marker not in self.text:
                if self.reader.done():
                    raise AssertionError(f"tollgate up ended early:\n{self.text[-4000:]}")
                await asyncio.sleep(0.1)

        await asyncio.wait_for(seen(), timeout)

    async def stop(self) -> int:
        if self.proc.returncode is None:
            self.proc.send_signal(signal.SIGINT)
        code = await asyncio.wait_for(self.proc.wait(), 60)
        await self.reader
        return code


def environment(**extra: str) -> dict[str, str]:
    """No servers configured (embedded ones start), no secret unless given."""
    drop = ("DATABASE_URL", "NATS_URL", "TOLLGATE_SECRET", "TOLLGATE_DEMO", "TOLLGATE_DATA_DIR")
    return {**{k: v for k, v in os.environ.items() if k not in drop}, **extra}


async def signs_in(url: str, name: str, password: str) -> bool:
    async with httpx.AsyncClient(base_url=url, timeout=30) as browser:
        await browser.get("/signin")
        form = {"name": name, "password": password, "_csrf_token": browser.cookies["csrftoken"]}
        return (await browser.post("/signin", data=form)).status_code == 303


async def tollgate(env: dict[str, str], *argv: str) -> tuple[int, str]:
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "launch.cli", *argv, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
    )  # fmt: skip
    out, _ = await asyncio.wait_for(proc.communicate(), 60)
    return await proc.wait(), out.decode()


async def test_a_real_instance_refuses_the_default_secret_and_names_the_variable(
    tmp_path: Path,
):
    code, out = await tollgate(environment(), "up", "--no-demo", "--data-dir", str(tmp_path))
    assert code == 2
    assert "TOLLGATE_SECRET" in out and "Traceback" not in out
    assert not (tmp_path / "pg").exists()  # refused before starting anything


async def test_up_without_the_demo_has_no_users_until_an_admin_is_added_and_keeps_them(
    tmp_path: Path,
):
    env, port = environment(TOLLGATE_SECRET=SECRET), free_port()
    first = await Up.start(tmp_path, port, env, "--no-demo")
    try:
        assert "No users yet" in first.text and "API token: tg_" not in first.text
        assert not await signs_in(first.url, "admin", PASSWORD)
        found = re.search(r"embedded PostgreSQL: (\S+)", first.text)
        assert found is not None
        code, out = await tollgate(
            {**env, "DATABASE_URL": found[1]},
            "users", "add", "admin", "--role", "admin", "--password", "chosen-by-admin",
        )  # fmt: skip
        assert code == 0, out
        token = out.strip().splitlines()[-1]
        assert await signs_in(first.url, "admin", "chosen-by-admin")
    finally:
        assert await first.stop() == 0
    second = await Up.start(tmp_path, port, env, "--no-demo")
    try:
        assert "No users yet" not in second.text
        assert await signs_in(second.url, "admin", "chosen-by-admin")
        async with httpx.AsyncClient(base_url=f"{second.url}/api/v1") as api:
            users = await api.get("/users", headers={"Authorization": f"Bearer {token}"})
        assert users.status_code == 200
        assert [u["name"] for u in users.json()] == ["admin"]
    finally:
        assert await second.stop() == 0


async def test_the_demo_makes_its_users_once_and_a_restart_keeps_what_an_admin_set(
    tmp_path: Path,
):
    env, port = environment(), free_port()
    first = await Up.start(tmp_path, port, env)
    try:
        assert "TOLLGATE_SECRET is not set" in first.text  # the demo warns
        tokens = dict(re.findall(r"^\s+(\S+)\s.*API token: (\S+)$", first.text, re.M))
        admin = {"Authorization": f"Bearer {tokens['admin']}"}
        async with httpx.AsyncClient(base_url=f"{first.url}/api/v1") as api:
            set_password = await api.post(
                "/users/admin/password", json={"password": "chosen-by-admin"}, headers=admin
            )
            assert set_password.status_code == 204
            demoted = await api.patch("/users/vera", json={"role": "contributor"}, headers=admin)
            assert demoted.status_code == 200
    finally:
        assert await first.stop() == 0
    second = await Up.start(tmp_path, port, env)
    try:
        assert "API token: tg_" not in second.text and "Seeded" not in second.text
        assert "Demo sign-ins: olivia" in second.text
        assert await signs_in(second.url, "admin", "chosen-by-admin")
        assert not await signs_in(second.url, "admin", PASSWORD)
        async with httpx.AsyncClient(base_url=f"{second.url}/api/v1") as api:
            users = {u["name"]: u for u in (await api.get("/users", headers=admin)).json()}
            assert users["vera"]["role"] == "contributor"  # the first run's tokens still work
            vera = await api.get(
                "/portfolio", headers={"Authorization": f"Bearer {tokens['vera']}"}
            )
            assert vera.status_code == 200
    finally:
        assert await second.stop() == 0
