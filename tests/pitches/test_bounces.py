"""Delivery reports as mail servers send them, fetched from a real IMAP server (Dovecot).

Standard reports (RFC 3464) are read by Action and Status; Exim, qmail and
X-Failed-Recipients bounces by their text. Only a bad address marks the contact.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from outreach.activity.models import Activity
from outreach.extensions import db
from outreach.pitches import sequences, suppression
from outreach.pitches.bounces import Verdict, classify_answer, enhanced_status, hint
from outreach.pitches.imap import poll
from outreach.pitches.models import InboundMessage, Mailbox, MessageStatus, OutboundMessage
from outreach.pitches.sending import deliver
from outreach.prospects.models import Contact, Prospect, Stage
from tests.factories import Factory
from tests.pitches import builders
from tests.support.imap import Dovecot
from tests.support.smtp import SmtpServer


@dataclass
class Sent:
    """The first message of a two-step sequence, sent; its follow-up still queued."""

    first: OutboundMessage
    follow_up: OutboundMessage
    mailbox: Mailbox


def _sent(factory: Factory, smtp: SmtpServer, imap: Dovecot) -> Sent:
    _, workspace = factory.user_with_workspace("owner@example.com", "Acme")
    campaign = builders.campaign_with_sequence(factory, workspace, steps=2)
    prospect, contact = builders.prospect(workspace, campaign)
    box = builders.mailbox(
        workspace, smtp.port, imap_host="127.0.0.1", imap_port=imap.port, imap_tls=False
    )
    enrollment = sequences.enroll(campaign, prospect, contact, box)
    db.session.commit()
    first, follow_up = db.session.scalars(
        select(OutboundMessage)
        .where(OutboundMessage.enrollment_id == enrollment.id)
        .order_by(OutboundMessage.id)
    ).all()
    assert deliver([first.id]) == {"sent": 1}
    box.smtp_username = Dovecot.USER  # the IMAP login; the plain test SMTP server has no AUTH
    from outreach.pitches.mailboxes import encrypt_password

    box.smtp_password_encrypted = encrypt_password(Dovecot.PASSWORD)
    db.session.commit()
    return Sent(first, follow_up, box)


def _report(message_id: str, *blocks: str, subject: str = "Undelivered Mail") -> bytes:
    status = "\r\n\r\n".join(blocks)
    return (
        "From: MAILER-DAEMON@mx.blog.example (Mail Delivery System)\r\n"
        f"To: sender@ours.example\r\nSubject: {subject}\r\n"
        f"Message-ID: <report-{abs(hash(status))}@mx.blog.example>\r\nMIME-Version: 1.0\r\n"
        'Content-Type: multipart/report; report-type=delivery-status; boundary="B"\r\n\r\n'
        "--B\r\nContent-Type: text/plain\r\n\r\nThis is the mail system at mx.blog.example.\r\n"
        "--B\r\nContent-Type: message/delivery-status\r\n\r\n"
        "Reporting-MTA: dns; mx.blog.example\r\n\r\n"
        f"{status}\r\n\r\n"
        "--B\r\nContent-Type: text/rfc822-headers\r\n\r\n"
        f"Message-ID: {message_id}\r\nFrom: Sam Sender <sender@ours.example>\r\n"
        "Subject: Hi Ada\r\n\r\n--B--\r\n"
    ).encode()


def _block(action: str, status: str, diagnostic: str = "") -> str:
    lines = [
        "Final-Recipient: rfc822; editor@blog.example",
        "Original-Recipient: rfc822;editor@blog.example",
        f"Action: {action}",
        f"Status: {status}",
    ]
    if diagnostic:
        lines.append(f"Diagnostic-Code: smtp; {diagnostic}")
    return "\r\n".join(lines)


def _exim(message_id: str) -> bytes:
    return (
        "From: Mail Delivery System <Mailer-Daemon@mx.blog.example>\r\n"
        "To: sender@ours.example\r\nSubject: Mail delivery failed: returning message to sender\r\n"
        "Message-ID: <E1exim-0001@mx.blog.example>\r\nX-Failed-Recipients: editor@blog.example\r\n"
        "Auto-Submitted: auto-replied\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\n"
        "This message was created automatically by mail delivery software.\r\n\r\n"
        "A message that you sent could not be delivered to one or more of its\r\n"
        "recipients. This is a permanent error. The following address(es) failed:\r\n\r\n"
        "  editor@blog.example\r\n"
        "    host mx.blog.example [192.0.2.10]\r\n"
        "    SMTP error from remote mail server after RCPT TO:<editor@blog.example>:\r\n"
        "    550 5.1.1 <editor@blog.example>: Recipient address rejected: User unknown\r\n\r\n"
        "------ This is a copy of the message, including all the headers. ------\r\n\r\n"
        "Return-path: <sender@ours.example>\r\n"
        f"Message-ID: {message_id}\r\nSubject: Hi Ada\r\n\r\nI liked Ten trails.\r\n"
    ).encode()


def _qmail(message_id: str) -> bytes:
    return (
        "From: MAILER-DAEMON@mx.blog.example\r\nTo: sender@ours.example\r\n"
        "Subject: failure notice\r\nMessage-ID: <qmail-1@mx.blog.example>\r\n\r\n"
        "Hi. This is the qmail-send program at mx.blog.example.\r\n"
        "I'm afraid I wasn't able to deliver your message to the following addresses.\r\n"
        "This is a permanent error; I've given up. Sorry it didn't work out.\r\n\r\n"
        "<editor@blog.example>:\r\n"
        "192.0.2.10 does not like recipient.\r\n"
        "Remote host said: 550 5.1.1 <editor@blog.example>... User unknown\r\n"
        "Giving up on 192.0.2.10.\r\n\r\n"
        "--- Below this line is a copy of the message.\r\n\r\n"
        "Return-Path: <sender@ours.example>\r\n"
        f"Message-ID: {message_id}\r\nSubject: Hi Ada\r\n\r\nI liked Ten trails.\r\n"
    ).encode()


def _failed_recipients_header(message_id: str) -> bytes:
    return (
        "From: postmaster@mail.blog.example\r\nTo: sender@ours.example\r\n"
        "Subject: Undeliverable: Hi Ada\r\nMessage-ID: <ndr-7@mail.blog.example>\r\n"
        "X-Failed-Recipients: editor@blog.example\r\nContent-Type: text/plain\r\n\r\n"
        "Delivery has failed to these recipients or groups:\r\n\r\n"
        "editor@blog.example\r\n"
        "The recipient's mailbox is full and can't accept messages now.\r\n"
        "Remote server returned '552 5.2.2 mailbox full; quota exceeded'\r\n\r\n"
        f"Original message headers:\r\n\r\nMessage-ID: {message_id}\r\n"
    ).encode()


@dataclass
class Case:
    """One delivery report and what it must lead to."""

    name: str
    bouncing: bool
    counted_as: str
    activity: str
    shown: str


CASES = [
    Case("delayed 4.4.7", False, "delivery_reports", "email_delivery_delayed", "delayed 4.4.7"),
    Case("failed 4.2.2", False, "delivery_reports", "email_delivery_delayed", "failed 4.2.2"),
    Case("5.7.1 spamhaus", False, "delivery_reports", "email_blocked", "zen.spamhaus.org"),
    Case("relayed 2.0.0", False, "delivery_reports", "email_delivery_report", "relayed 2.0.0"),
    Case("failed 5.1.1", True, "bounces", "email_bounced", "hard bounce: failed 5.1.1"),
    Case("exim", True, "bounces", "email_bounced", "hard bounce: failed 5.1.1"),
    Case("qmail", True, "bounces", "email_bounced", "hard bounce: failed 5.1.1"),
    Case("x-failed-recipients 5.2.2", False, "delivery_reports", "email_delivery_delayed", "5.2.2"),
]


def _raw(case: str, message_id: str) -> bytes:
    shapes = {
        "delayed 4.4.7": lambda: _report(
            message_id,
            _block("delayed", "4.4.7", "421 4.4.7 connect to mx2.blog.example: timed out"),
            subject="Delayed Mail (still being retried)",
        ),
        "failed 4.2.2": lambda: _report(
            message_id,
            _block("failed", "4.2.2", "452-4.2.2 The email account is over quota."),
        ),
        "5.7.1 spamhaus": lambda: _report(
            message_id,
            _block(
                "failed",
                "5.7.1",
                "554 5.7.1 Service unavailable; Client host [203.0.113.9] blocked using "
                "zen.spamhaus.org",
            ),
        ),
        "relayed 2.0.0": lambda: _report(
            message_id,
            _block("relayed", "2.0.0", "250 2.0.0 Ok: queued as 4Q1xyz"),
            subject="Successful Mail Relay",
        ),
        "failed 5.1.1": lambda: _report(
            message_id, _block("failed", "5.1.1", "550 5.1.1 <editor@blog.example>: no such user")
        ),
        "exim": lambda: _exim(message_id),
        "qmail": lambda: _qmail(message_id),
        "x-failed-recipients 5.2.2": lambda: _failed_recipients_header(message_id),
    }
    return shapes[case]()


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_delivery_report_is_read_by_action_and_status(
    app: Flask,
    client: FlaskClient,
    factory: Factory,
    smtp: SmtpServer,
    dovecot: Dovecot,
    case: Case,
) -> None:
    sent = _sent(factory, smtp, dovecot)
    dovecot.append(_raw(case.name, sent.first.message_id))
    counts = poll(sent.mailbox)
    assert counts.get(case.counted_as) == 1, counts
    db.session.expire_all()
    contact = db.session.get_one(Contact, sent.first.contact_id)
    assert contact.bouncing is case.bouncing
    follow_up = db.session.get_one(OutboundMessage, sent.follow_up.id)
    expected = MessageStatus.CANCELLED if case.bouncing else MessageStatus.QUEUED
    assert follow_up.status is expected
    assert db.session.get_one(Prospect, sent.first.prospect_id).stage is Stage.CONTACTED
    activity = db.session.scalars(
        select(Activity).where(
            Activity.subject_id == sent.first.prospect_id, Activity.action == case.activity
        )
    ).one()
    assert case.shown in str(activity.detail.get("summary"))
    inbound = db.session.scalars(select(InboundMessage)).one()
    assert inbound.is_bounce and inbound.prospect_id == sent.first.prospect_id

    client.post("/login", data={"email": "owner@example.com", "password": Factory.PASSWORD})
    page = client.get(f"/prospects/{sent.first.prospect_id}").get_data(as_text=True)
    assert "Delivery report from editor@blog.example" in page
    assert case.shown in page
    mailboxes_page = client.get("/pitches/mailboxes").get_data(as_text=True)
    assert ("Our sending was refused" in mailboxes_page) is (case.name == "5.7.1 spamhaus")
    assert poll(sent.mailbox) == {"replies": 0, "bounces": 0, "unmatched": 0}  # read once


def test_a_person_writing_about_a_bounce_is_not_a_bounce(
    app: Flask, factory: Factory, smtp: SmtpServer, dovecot: Dovecot
) -> None:
    sent = _sent(factory, smtp, dovecot)
    dovecot.append(
        (
            "From: Ada <editor@blog.example>\r\nTo: sender@ours.example\r\nSubject: Re: Hi Ada\r\n"
            f"Message-ID: <human-1@blog.example>\r\nIn-Reply-To: {sent.first.message_id}\r\n\r\n"
            "Your last mail said 550 5.1.1 user unknown, odd! This is a permanent error?\r\n"
        ).encode()
    )
    assert poll(sent.mailbox)["replies"] == 1
    db.session.expire_all()
    assert db.session.get_one(Contact, sent.first.contact_id).bouncing is False


def test_mailto_unsubscribe_suppresses_the_contact_and_stops_the_sequence(
    app: Flask, factory: Factory, smtp: SmtpServer, dovecot: Dovecot
) -> None:
    sent = _sent(factory, smtp, dovecot)
    token = sent.first.unsubscribe_token
    dovecot.append(
        (
            "From: editor@blog.example\r\nTo: sender@ours.example\r\n"
            f"Subject: unsubscribe {token}\r\nMessage-ID: <unsub-1@blog.example>\r\n\r\n\r\n"
        ).encode()
    )
    assert poll(sent.mailbox)["unsubscribes"] == 1
    db.session.expire_all()
    assert suppression.suppressed_by(sent.mailbox.workspace_id, "editor@blog.example")
    follow_up = db.session.get_one(OutboundMessage, sent.follow_up.id)
    assert follow_up.status is MessageStatus.CANCELLED


@pytest.mark.parametrize(
    ("code", "text", "verdict"),
    [
        (550, "5.1.1 <a@b.example>: Recipient address rejected: User unknown", Verdict.HARD),
        (550, "Requested action not taken: mailbox unavailable", Verdict.HARD),
        (552, "5.2.2 Mailbox full", Verdict.TEMPORARY),
        (450, "4.2.0 Greylisted", Verdict.TEMPORARY),
        (554, "5.7.1 Message rejected", Verdict.OURS),
        (550, "Client host [203.0.113.9] blocked using zen.spamhaus.org", Verdict.OURS),
        (553, "5.1.8 Sender address rejected: domain not found", Verdict.OURS),
        (554, "5.3.4 Message too big for system", Verdict.FAILED),
        (250, "2.0.0 Ok", Verdict.NOT_A_BOUNCE),
    ],
)
def test_smtp_answer_reading(code: int, text: str, verdict: Verdict) -> None:
    assert classify_answer(code, text)[0] is verdict


def test_an_ip_address_is_not_read_as_a_status_code() -> None:
    assert enhanced_status("host mx [192.0.2.10]: 550 5.1.1 nope") == "5.1.1"
    assert enhanced_status("connect to [10.2.3.4]:25 timed out") == ""
    assert hint("blocked using zen.spamhaus.org; see https://x.example") == "listed by Spamhaus"
