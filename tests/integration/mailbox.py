"""A real SMTP server (aiosmtpd) on a free loopback port, keeping every mail it accepts."""

from __future__ import annotations

import email
import email.policy
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller

from launch.embedded import free_port


class Mailbox:
    """The aiosmtpd handler: each accepted mail, parsed, with its envelope recipients."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.mails: list[tuple[tuple[str, ...], EmailMessage]] = []

    async def handle_DATA(self, _server: Any, _session: Any, envelope: Any) -> str:  # noqa: N802
        parsed = email.message_from_bytes(envelope.content, policy=email.policy.default)
        assert isinstance(parsed, EmailMessage)
        with self.lock:
            self.mails.append((tuple(envelope.rcpt_tos), parsed))
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[EmailMessage]:
        with self.lock:
            return [m for rcpt, m in self.mails if address in rcpt]

    def about(self, address: str, text: str) -> list[EmailMessage]:
        """The mails to `address` whose subject or body holds `text`."""
        return [m for m in self.to(address) if text in str(m["Subject"]) or text in body(m)]


def body(m: EmailMessage) -> str:
    part = m.get_body(preferencelist=("plain",))
    return part.get_content() if part is not None else ""


@contextmanager
def smtp_server() -> Iterator[tuple[str, Mailbox]]:
    """An smtp:// URL and the mailbox behind it, for the length of the block."""
    box = Mailbox()
    port = free_port()
    controller = Controller(box, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield f"smtp://127.0.0.1:{port}", box
    finally:
        controller.stop()
