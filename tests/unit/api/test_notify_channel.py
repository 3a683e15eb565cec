"""How the notifier tells a user of an item: their own choice, except that a serious incident
(an urgent item) is mailed at once even to a digest reader; `off`, no address or no SMTP
server still mean no mail."""

from __future__ import annotations

from datetime import UTC, datetime

import msgspec
import pytest

from api.notifications import Notify
from api.notifier.notify import Notifier
from api.notifier.store import Recipient
from infra.settings import Settings
from services.projection.views.inbox import InboxItem

SMTP = Settings(smtp_url="smtp://127.0.0.1:2525")
ITEM = InboxItem(
    initiative_id="i-1",
    key="incident:x1:2026-11-28T10:00:00+00:00",
    kind="incident",
    title="Claims triage",
    text="Open critical incident: Wrong refusals",
    since=datetime(2026, 11, 28, 10, tzinfo=UTC),
    link="/initiatives/i-1#incident-x1",
)
URGENT = msgspec.structs.replace(ITEM, urgent=True)


def user(notify: Notify, email: str | None = "ina@example.test") -> Recipient:
    return Recipient(name="ina", role="contributor", email=email, notify=notify)


@pytest.mark.parametrize(
    ("item", "who", "settings", "channel"),
    [
        (ITEM, user("digest"), SMTP, "digest"),
        (URGENT, user("digest"), SMTP, "immediate"),
        (URGENT, user("immediate"), SMTP, "immediate"),
        (URGENT, user("off"), SMTP, "none"),
        (URGENT, user("digest", email=None), SMTP, "none"),
        (URGENT, user("immediate"), Settings(), "none"),
    ],
)
def test_a_serious_incident_is_mailed_at_once_unless_mail_is_off(
    item: InboxItem, who: Recipient, settings: Settings, channel: str
) -> None:
    notifier = Notifier(reads=None, settings=settings)  # type: ignore[arg-type]
    assert notifier.channel(item, who) == channel
