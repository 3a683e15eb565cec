"""What notification mails say, the addresses users may give, and the sender's backoff."""

from __future__ import annotations

import smtplib
from datetime import UTC, date, datetime

import pytest

from api.notifications import checked_email
from api.notifier import mail
from api.notifier.sender import backoff, error_class
from api.users import AccountError
from services.projection.views.inbox import InboxItem

BASE = "https://tollgate.example/"
ITEM = InboxItem(
    initiative_id="i-1",
    key="condition:dpo",
    kind="condition",
    title="Invoice triage",
    text="Fulfil the G1 condition: DPO signs off",
    since=datetime(2026, 3, 2, 9, 30, tzinfo=UTC),
    link="/initiatives/i-1#conditions-title",
    gate="G1",
)


def test_an_immediate_mail_names_the_item_and_links_to_where_it_is_handled() -> None:
    m = mail.immediate("olivia", ITEM, BASE)
    assert m.subject == "[Tollgate] Fulfil the G1 condition: DPO signs off (Invoice triage)"
    assert "https://tollgate.example/initiatives/i-1#conditions-title" in m.body
    assert "waiting since 2026-03-02 09:30 UTC" in m.body
    assert "Everything that waits on you: https://tollgate.example/inbox" in m.body


def test_a_subject_stays_on_one_line_however_long_the_title() -> None:
    long = InboxItem(**{**_fields(ITEM), "title": "A\nB " + "x" * 300})
    subject = mail.immediate("olivia", long, BASE).subject
    assert "\n" not in subject and len(subject) <= 180


def test_a_digest_counts_the_new_items_and_all_that_wait() -> None:
    m = mail.digest("ben", date(2026, 3, 3), [ITEM, ITEM], 5, BASE)
    assert m.subject == "[Tollgate] Daily digest 2026-03-03: 2 new items"
    assert "(5 in your inbox in all)" in m.body
    assert m.body.count("https://tollgate.example/initiatives/i-1#conditions-title") == 2


def test_a_message_carries_sender_recipient_and_an_id_of_its_own() -> None:
    msg = mail.message("Tollgate <t@example>", "o@example", mail.immediate("o", ITEM, BASE), 7)
    assert (msg["To"], msg["Message-ID"]) == ("o@example", "<tollgate-mail-7@tollgate.invalid>")


@pytest.mark.parametrize("given", ["ana@example.com", "ops@mail.internal", "root@localhost"])
def test_an_address_with_one_at_sign_is_taken(given: str) -> None:
    assert checked_email(f"  {given} ") == given


def test_an_empty_address_means_none() -> None:
    assert checked_email("  ") is None


@pytest.mark.parametrize("given", ["ana", "a@b@c", "ana @example.com", "ana@", "x\x00@y"])
def test_anything_else_is_refused(given: str) -> None:
    with pytest.raises(AccountError, match="is not an e-mail address"):
        checked_email(given)


def test_failed_mails_wait_longer_each_time_up_to_an_hour() -> None:
    assert [backoff(n) for n in (1, 2, 3)] == [2.0, 4.0, 8.0]
    assert backoff(30) == 3600.0


def test_a_failure_is_named_by_its_class_not_the_servers_words() -> None:
    refused = smtplib.SMTPRecipientsRefused({"a@b": (550, b"no such user a@b")})
    assert error_class(refused) == "the server refused the recipient"
    assert error_class(ConnectionRefusedError()) == "no SMTP session (ConnectionRefusedError)"


def _fields(item: InboxItem) -> dict[str, object]:
    return {f: getattr(item, f) for f in item.__struct_fields__}
