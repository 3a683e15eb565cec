"""Sends the queued mails over SMTP, oldest first, retrying failures with backoff.

A mail is locked (FOR UPDATE SKIP LOCKED) while it is being sent and marked sent in the
same transaction, so replicas never send the same mail; a crash between the SMTP server's
acceptance and the commit sends it once more, with the same Message-ID.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import smtplib
from collections.abc import Awaitable, Callable
from email.message import EmailMessage

from api.notifier import mail, store
from infra.db import Pool

log = logging.getLogger("tollgate.notifier")
Send = Callable[[str, EmailMessage], Awaitable[None]]


def backoff(attempts: int, base: float = 2.0, cap: float = 3600.0) -> float:
    """Seconds before the next attempt after `attempts` failed ones."""
    return float(min(cap, base * 2 ** max(0, attempts - 1)))


def error_class(exc: Exception) -> str:
    """What went wrong, without the server's own words (they may hold addresses)."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return "the server refused the recipient"
    if isinstance(exc, smtplib.SMTPAuthenticationError):
        return "the server refused the login"
    if isinstance(exc, smtplib.SMTPResponseException):
        return f"the server answered {exc.smtp_code}"
    return f"no SMTP session ({type(exc).__name__})"


class Sender:
    def __init__(
        self,
        pool: Pool,
        smtp_url: str,
        sender: str,
        *,
        send: Send = mail.send_async,
        max_attempts: int = 8,
        poll: float = 0.5,
    ) -> None:
        self.pool = pool
        self.smtp_url = smtp_url
        self.sender = sender
        self.send = send
        self.max_attempts = max_attempts
        self.poll = poll
        self.sent = 0

    async def run(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            try:
                done = await self.tick()
            except Exception:
                log.exception("sending mails failed; retrying")
                done = 0
            if not done:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), self.poll)

    async def tick(self) -> int:
        """Send what is due now; returns how many were attempted."""
        async with self.pool.acquire() as conn, conn.transaction():
            due = await store.due_mails(conn)
            for m in due:
                letter = mail.Mail(subject=m.subject, body=m.body)
                message = mail.message(self.sender, m.address, letter, m.mail_id)
                try:
                    await self.send(self.smtp_url, message)
                except (OSError, smtplib.SMTPException) as exc:
                    attempts = m.attempts + 1
                    log.warning("mail %d: %s (attempt %d)", m.mail_id, error_class(exc), attempts)
                    final = attempts >= self.max_attempts
                    await store.failed(conn, m, error_class(exc), backoff(attempts), final)
                    continue
                await store.sent(conn, m.mail_id)
                self.sent += 1
        return len(due)
