"""The notifier's tables in schema `api`: who was told of which inbox item, the mails to
send, and the entries waiting for a daily digest."""

from __future__ import annotations

from datetime import date

import msgspec

from api.notifications import Notify
from api.notifier.mail import Mail
from events.base import Role
from infra.db import Connection
from services.projection.views.inbox import Addressed, InboxItem

ENCODER = msgspec.json.Encoder()
ITEM = msgspec.json.Decoder(InboxItem)


class Recipient(msgspec.Struct, frozen=True, kw_only=True):
    name: str
    role: Role
    email: str | None
    notify: Notify


class DueMail(msgspec.Struct, frozen=True, kw_only=True):
    mail_id: int
    address: str
    subject: str
    body: str
    attempts: int


_USER = "name, role, email, notify"


async def recipients(conn: Connection, waiting: Addressed) -> list[Recipient]:
    """The active users an item waits on (by account, role or name), less those done."""
    rows = await conn.fetch(
        f"SELECT {_USER} FROM api.users WHERE active AND (name = ANY($1) OR role = ANY($2)"
        " OR lower(name) = ANY($3)) AND NOT name = ANY($4) ORDER BY name",
        list(waiting.accounts),
        [str(r) for r in waiting.roles],
        list(waiting.names),
        list(waiting.done_by),
    )
    return [msgspec.convert(dict(r), Recipient) for r in rows]


async def first_notice(conn: Connection, item: InboxItem, recipient: str, channel: str) -> bool:
    """Record that `recipient` was told of `item`; False when they were before."""
    new = await conn.fetchval(
        "INSERT INTO api.notified (initiative_id, key, recipient, channel)"
        " VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING RETURNING true",
        item.initiative_id,
        item.key,
        recipient,
        channel,
    )
    return bool(new)


async def queue_mail(conn: Connection, kind: str, to: Recipient, mail: Mail) -> int:
    mail_id = await conn.fetchval(
        "INSERT INTO api.mails (kind, recipient, address, subject, body)"
        " VALUES ($1, $2, $3, $4, $5) RETURNING mail_id",
        kind,
        to.name,
        to.email,
        mail.subject,
        mail.body,
    )
    return int(mail_id)


async def queue_digest_entry(conn: Connection, recipient: str, item: InboxItem) -> None:
    await conn.execute(
        "INSERT INTO api.digest_entries (recipient, initiative_id, key, item)"
        " VALUES ($1, $2, $3, $4)",
        recipient,
        item.initiative_id,
        item.key,
        ENCODER.encode(item),
    )


async def due_mails(conn: Connection, limit: int = 10) -> list[DueMail]:
    """Pending mails whose time has come, locked for this transaction (replicas skip them)."""
    rows = await conn.fetch(
        "SELECT mail_id, address, subject, body, attempts FROM api.mails"
        " WHERE status = 'pending' AND next_attempt_at <= now() ORDER BY mail_id"
        " LIMIT $1 FOR UPDATE SKIP LOCKED",
        limit,
    )
    return [msgspec.convert(dict(r), DueMail) for r in rows]


async def sent(conn: Connection, mail_id: int) -> None:
    await conn.execute(
        "UPDATE api.mails SET status = 'sent', attempts = attempts + 1, sent_at = now(),"
        " last_error = NULL WHERE mail_id = $1",
        mail_id,
    )


async def failed(conn: Connection, mail: DueMail, error: str, delay: float, final: bool) -> None:
    await conn.execute(
        "UPDATE api.mails SET status = $2, attempts = attempts + 1, last_error = $3,"
        " next_attempt_at = now() + make_interval(secs => $4) WHERE mail_id = $1",
        mail.mail_id,
        "failed" if final else "pending",
        error[:500],
        delay,
    )


async def digest_readers(conn: Connection) -> list[Recipient]:
    """Active users on a daily digest with an address and entries waiting for it."""
    rows = await conn.fetch(
        f"SELECT {_USER} FROM api.users u WHERE active AND notify = 'digest'"
        " AND email IS NOT NULL AND EXISTS (SELECT 1 FROM api.digest_entries e"
        " WHERE e.recipient = u.name AND e.digest_day IS NULL) ORDER BY name"
    )
    return [msgspec.convert(dict(r), Recipient) for r in rows]


async def claim_digest(conn: Connection, recipient: str, day: date) -> list[InboxItem] | None:
    """The day's digest for `recipient`, once: its entries (taken), or None when it was
    claimed already."""
    claimed = await conn.fetchval(
        "INSERT INTO api.digests (recipient, day, entries) VALUES ($1, $2, 0)"
        " ON CONFLICT DO NOTHING RETURNING true",
        recipient,
        day,
    )
    if not claimed:
        return None
    rows = await conn.fetch(
        "UPDATE api.digest_entries SET digest_day = $2 WHERE recipient = $1"
        " AND digest_day IS NULL RETURNING entry_id, item",
        recipient,
        day,
    )
    return [ITEM.decode(r["item"]) for r in sorted(rows, key=lambda r: r["entry_id"])]


async def digest_sent(
    conn: Connection, recipient: str, day: date, entries: int, mail_id: int | None
) -> None:
    await conn.execute(
        "UPDATE api.digests SET entries = $3, mail_id = $4 WHERE recipient = $1 AND day = $2",
        recipient,
        day,
        entries,
        mail_id,
    )
