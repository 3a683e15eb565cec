"""Notification mails: what they say (pure), and sending one over SMTP.

Links are absolute, on TOLLGATE_PUBLIC_URL. Each mail carries a Message-ID made from its
row in api.mails, so a mail sent again after a crash between sending and recording it
can be recognised as the same one.
"""

from __future__ import annotations

import asyncio
import smtplib
import ssl
from datetime import date
from email.message import EmailMessage
from email.utils import formatdate
from urllib.parse import unquote, urlsplit

import msgspec

from services.projection.views.inbox import InboxItem

TIMEOUT = 10.0


class Mail(msgspec.Struct, frozen=True, kw_only=True):
    subject: str
    body: str


def link(base_url: str, path: str) -> str:
    return base_url.rstrip("/") + path


def _entry(item: InboxItem, base_url: str) -> str:
    since = item.since.strftime("%Y-%m-%d %H:%M UTC")
    late = " (overdue)" if item.overdue else ""
    return (
        f"* {item.text}{late}\n  {item.title}, waiting since {since}\n"
        f"  {link(base_url, item.link)}\n"
    )


def _footer(base_url: str, how: str) -> str:
    inbox = link(base_url, "/inbox")
    return (
        f"\nEverything that waits on you: {inbox}\n"
        f"You get {how}; choose immediate mails, a daily digest or none on {inbox}.\n"
    )


def immediate(name: str, item: InboxItem, base_url: str) -> Mail:
    """One new item, as soon as it waits."""
    body = f"Hello {name},\n\nthis now waits on you in Tollgate:\n\n{_entry(item, base_url)}"
    subject = f"[Tollgate] {item.text} ({item.title})"
    return Mail(subject=_line(subject), body=body + _footer(base_url, "a mail for each item"))


def digest(name: str, day: date, items: list[InboxItem], waiting: int, base_url: str) -> Mail:
    """The day's new items that still wait, and how many wait in all."""
    noun = "item" if len(items) == 1 else "items"
    entries = "\n".join(_entry(i, base_url) for i in items)
    body = (
        f"Hello {name},\n\n{len(items)} new {noun} waiting on you in Tollgate since the last"
        f" digest ({waiting} in your inbox in all):\n\n{entries}"
    )
    subject = f"[Tollgate] Daily digest {day.isoformat()}: {len(items)} new {noun}"
    return Mail(subject=subject, body=body + _footer(base_url, "one digest a day"))


def _line(text: str, most: int = 180) -> str:
    """A header fits on a line: no line breaks, and long ones cut."""
    text = " ".join(text.split())
    return text if len(text) <= most else text[: most - 1] + "…"


def message(sender: str, to: str, mail: Mail, mail_id: int) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = to
    msg["Subject"] = mail.subject
    msg["Date"] = formatdate(usegmt=True)
    msg["Message-ID"] = f"<tollgate-mail-{mail_id}@tollgate.invalid>"
    msg.set_content(mail.body)
    return msg


def send(url: str, msg: EmailMessage, timeout: float = TIMEOUT) -> None:
    """Send over smtp:// (plain), smtp+starttls:// or smtps:// (TLS), logging in when the
    URL names a user. Blocking: run it in a thread."""
    parts = urlsplit(url)
    host = parts.hostname or "localhost"
    if parts.scheme == "smtps":
        client: smtplib.SMTP = smtplib.SMTP_SSL(
            host, parts.port or 465, timeout=timeout, context=ssl.create_default_context()
        )
    else:
        client = smtplib.SMTP(host, parts.port or 25, timeout=timeout)
    with client:
        if parts.scheme == "smtp+starttls":
            client.starttls(context=ssl.create_default_context())
        if parts.username:
            client.login(unquote(parts.username), unquote(parts.password or ""))
        client.send_message(msg)


async def send_async(url: str, msg: EmailMessage) -> None:
    await asyncio.to_thread(send, url, msg)
