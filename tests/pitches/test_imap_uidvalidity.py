"""A mailbox whose UIDVALIDITY changed (restored, migrated) is rescanned by date, without
recording anything twice (real Dovecot, whose maildir is emptied and loses its UID list)."""

from __future__ import annotations

from imapclient import IMAPClient
from sqlalchemy import func, select

from outreach.extensions import db
from outreach.pitches.imap import poll
from outreach.pitches.models import (
    InboundKind,
    InboundMessage,
    Mailbox,
    MessageStatus,
    OutboundMessage,
)
from outreach.prospects.models import Prospect, Stage
from tests.factories import Factory
from tests.pitches import inbound_mail
from tests.support.imap import Dovecot
from tests.support.smtp import SmtpServer


def _validity(dovecot: Dovecot) -> int:
    with IMAPClient("127.0.0.1", port=dovecot.port, ssl=False, timeout=10) as client:
        client.login(Dovecot.USER, Dovecot.PASSWORD)
        return int(client.select_folder("INBOX", readonly=True)[b"UIDVALIDITY"])


def _renew_inbox(dovecot: Dovecot) -> tuple[int, int]:
    """Empty the maildir and drop its UID list and indexes, as a move to a new server does:
    Dovecot then gives INBOX a new UIDVALIDITY and numbers messages from 1 again."""
    before = _validity(dovecot)
    maildir = dovecot.root / "mail" / Dovecot.USER
    for path in maildir.iterdir():
        if path.name in ("new", "cur"):
            for message in path.iterdir():
                message.unlink()
        elif path.name.startswith(("dovecot-uidlist", "dovecot.index", "dovecot.list.index")):
            path.unlink()
    return before, _validity(dovecot)


def _uids(dovecot: Dovecot) -> list[int]:
    with IMAPClient("127.0.0.1", port=dovecot.port, ssl=False, timeout=10) as client:
        client.login(Dovecot.USER, Dovecot.PASSWORD)
        client.select_folder("INBOX", readonly=True)
        return sorted(client.search(["ALL"]))


def test_after_a_uidvalidity_change_the_reply_at_uid_1_is_seen_once(
    app: object, factory: Factory, smtp: SmtpServer, dovecot: Dovecot
) -> None:
    first, follow_up = inbound_mail.sent_pitch(factory, smtp, dovecot)
    dovecot.append(inbound_mail.unrelated(1))
    dovecot.append(inbound_mail.unrelated(2))
    auto_reply = inbound_mail.exchange_auto_reply(first, "Thank you, your e-mail was received.")
    dovecot.append(auto_reply)
    mailbox = db.session.get_one(Mailbox, first.mailbox_id)
    assert poll(mailbox)["auto_replies"] == 1
    assert mailbox.last_imap_uid == 3 and mailbox.imap_uidvalidity is not None
    old_validity = mailbox.imap_uidvalidity

    before, after = _renew_inbox(dovecot)
    assert before == old_validity and after != before
    reply = (
        f"From: {inbound_mail.ADA}\r\nTo: sender@ours.example\r\nSubject: Re: {first.subject}\r\n"
        f"Message-ID: <after-move@blog.example>\r\nIn-Reply-To: {first.message_id}\r\n\r\n"
        "Yes please, send the draft.\r\n"
    ).encode()
    dovecot.append(reply)  # UID 1 of the new INBOX
    dovecot.append(auto_reply)  # the old mail, restored: UID 2, already recorded
    assert _uids(dovecot) == [1, 2]

    counts = poll(mailbox)
    assert counts["replies"] == 1 and counts["duplicates"] == 1
    assert mailbox.imap_uidvalidity == after and mailbox.last_imap_uid == 2
    assert poll(mailbox) == {"replies": 0, "bounces": 0, "unmatched": 0}
    per_id = db.session.execute(
        select(InboundMessage.message_id, func.count()).group_by(InboundMessage.message_id)
    ).all()
    assert sorted(count for _, count in per_id) == [1, 1]
    kinds = set(db.session.scalars(select(InboundMessage.kind)))
    assert kinds == {InboundKind.AUTO_REPLY, InboundKind.REPLY}
    db.session.expire_all()
    assert db.session.get_one(Prospect, first.prospect_id).stage is Stage.REPLIED
    assert db.session.get_one(OutboundMessage, follow_up.id).status is MessageStatus.CANCELLED


def test_a_first_poll_remembers_the_uidvalidity_and_reads_by_uid(
    app: object, factory: Factory, smtp: SmtpServer, dovecot: Dovecot
) -> None:
    first, _ = inbound_mail.sent_pitch(factory, smtp, dovecot)
    dovecot.append(inbound_mail.unrelated(1))
    mailbox = db.session.get_one(Mailbox, first.mailbox_id)
    assert mailbox.imap_uidvalidity is None  # as after the migration
    assert poll(mailbox) == {"replies": 0, "bounces": 0, "unmatched": 1}
    polled = db.session.get_one(Mailbox, first.mailbox_id)
    assert polled.imap_uidvalidity is not None and polled.last_imap_poll_at is not None
    assert poll(mailbox) == {"replies": 0, "bounces": 0, "unmatched": 0}
