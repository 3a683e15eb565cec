"""Delivery over https to the checked address still verifies the certificate against the
URL's host name: a local TLS server with a certificate for `hooks.test` only."""

from __future__ import annotations

import asyncio
import ssl
import subprocess
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
import pytest_asyncio

from api.webhooks.address import AllowList
from api.webhooks.transport import CheckedTransport, plain_transport
from launch.embedded import free_port
from tests.unit.api.test_webhook_addresses import FakeResolver

ALLOW = AllowList.parse(["127.0.0.1"])
RESOLVE = {"hooks.test": ["127.0.0.1"], "other.test": ["127.0.0.1"]}


class TlsReceiver:
    def __init__(self, cert: Path, key: Path) -> None:
        self.context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        self.context.load_cert_chain(cert, key)
        self.context.sni_callback = self.sni
        self.port = free_port()
        self.server_names: list[str | None] = []
        self.hosts: list[str] = []

    def sni(self, _sock: ssl.SSLObject, name: str | None, _ctx: ssl.SSLContext) -> None:
        self.server_names.append(name)

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head = (await reader.readuntil(b"\r\n\r\n")).decode().split("\r\n")
        self.hosts += [h.split(":", 1)[1].strip() for h in head if h.lower().startswith("host:")]
        writer.write(b"HTTP/1.1 204 No Content\r\nconnection: close\r\n\r\n")
        await writer.drain()
        writer.close()


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subject = ["-subj", "/CN=hooks.test", "-addext", "subjectAltName=DNS:hooks.test"]
    files = ["-keyout", str(key), "-out", str(cert)]
    command = ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"]
    subprocess.run([*command, *files, *subject], check=True, capture_output=True)
    return cert, key


@pytest_asyncio.fixture
async def receiver(certificate: tuple[Path, Path]) -> AsyncIterator[TlsReceiver]:
    tls = TlsReceiver(*certificate)
    server = await asyncio.start_server(tls.handle, "127.0.0.1", tls.port, ssl=tls.context)
    async with server:
        yield tls


def client(cert: Path) -> httpx.AsyncClient:
    trusted = ssl.create_default_context(cafile=str(cert))
    transport = CheckedTransport(ALLOW, FakeResolver(RESOLVE), plain_transport(trusted))
    return httpx.AsyncClient(transport=transport, timeout=5, trust_env=False)


async def test_https_to_the_checked_address_sends_the_name_as_sni_and_host(
    receiver: TlsReceiver, certificate: tuple[Path, Path]
):
    async with client(certificate[0]) as http:
        response = await http.post(f"https://hooks.test:{receiver.port}/in", content=b"{}")
    assert response.status_code == 204
    assert receiver.server_names == ["hooks.test"]
    assert receiver.hosts == [f"hooks.test:{receiver.port}"]


async def test_a_certificate_for_another_name_is_refused(
    receiver: TlsReceiver, certificate: tuple[Path, Path]
):
    async with client(certificate[0]) as http:
        with pytest.raises(httpx.ConnectError, match="certificate verify failed"):
            await http.post(f"https://other.test:{receiver.port}/in", content=b"{}")
    assert receiver.hosts == []
