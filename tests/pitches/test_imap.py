"""Replies and bounces are found by polling a real IMAP server (Dovecot)."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import select

from outreach.activity.models import Activity
from outreach.extensions import db
from outreach.pitches import sequences
from outreach.pitches.imap import poll
from outreach.pitches.models import InboundMessage, Mailbox, MessageStatus, OutboundMessage
from outreach.pitches.sending import deliver
from outreach.prospects.models import Contact, Prospect, Stage
from tests.factories import Factory
from tests.pitches import builders
from tests.support.imap import Dovecot
from tests.support.smtp import SmtpServer


def _sent_pitch(factory: Factory, smtp: SmtpServer, imap: Dovecot) -> list[OutboundMessage]:
    _, workspace = factory.user_with_workspace("owner@example.com", "Acme")
    campaign = builders.campaign_with_sequence(factory, workspace, steps=2)
    prospect, contact = builders.prospect(workspace, campaign)
    box = builders.mailbox(
        workspace,
        smtp.port,
        imap_host="127.0.0.1",
        imap_port=imap.port,
        imap_tls=False,
        smtp_username=Dovecot.USER,
        password=Dovecot.PASSWORD,
    )
    enrollment = sequences.enroll(campaign, prospect, contact, box)
    db.session.commit()
    rows = list(
        db.session.scalars(
            select(OutboundMessage)
            .where(OutboundMessage.enrollment_id == enrollment.id)
            .order_by(OutboundMessage.id)
        )
    )
    box.smtp_username = ""  # the plain test SMTP server has no AUTH
    db.session.commit()
    deliver([r.id for r in rows])
    box.smtp_username = Dovecot.USER
    db.session.commit()
    return rows


def test_reply_moves_prospect_to_replied_cancels_follow_ups_and_shows_in_timeline(
    app: Flask, factory: Factory, smtp: SmtpServer, dovecot: Dovecot
) -> None:
    first, follow_up = _sent_pitch(factory, smtp, dovecot)
    dovecot.append(
        b"From: someone@else.example\r\nSubject: spam\r\nMessage-ID: <a@b>\r\n\r\nhi\r\n"
    )
    reply = (
        f"From: Ada <editor@blog.example>\r\nTo: sender@ours.example\r\nSubject: Re: Hi Ada\r\n"
        f"Message-ID: <reply-1@blog.example>\r\nIn-Reply-To: {first.message_id}\r\n"
        f"References: {first.message_id}\r\n\r\nSounds good, send it over.\r\n"
    ).encode()
    dovecot.append(reply)
    mailbox = db.session.get(Mailbox, first.mailbox_id)
    assert mailbox is not None
    assert poll(mailbox) == {"replies": 1, "bounces": 0, "unmatched": 1}
    assert poll(mailbox) == {"replies": 0, "bounces": 0, "unmatched": 0}  # UIDs remembered
    inbound = db.session.scalars(select(InboundMessage)).one()
    assert "Sounds good" in inbound.body and inbound.from_email == "editor@blog.example"
    db.session.expire_all()
    assert db.session.get_one(Prospect, first.prospect_id).stage is Stage.REPLIED
    assert db.session.get_one(OutboundMessage, follow_up.id).status is MessageStatus.CANCELLED
    actions = db.session.scalars(
        select(Activity.action).where(Activity.subject_id == first.prospect_id)
    ).all()
    assert "email_replied" in actions


def test_delivery_status_notification_marks_contact_bouncing_and_stops_sequence(
    app: Flask, factory: Factory, smtp: SmtpServer, dovecot: Dovecot
) -> None:
    first, follow_up = _sent_pitch(factory, smtp, dovecot)
    dsn = (
        "From: MAILER-DAEMON@mx.blog.example\r\nTo: sender@ours.example\r\n"
        "Subject: Undelivered Mail Returned to Sender\r\nMessage-ID: <dsn-1@mx>\r\n"
        "MIME-Version: 1.0\r\n"
        'Content-Type: multipart/report; report-type=delivery-status; boundary="B"\r\n\r\n'
        "--B\r\nContent-Type: text/plain\r\n\r\nThe mail could not be delivered.\r\n"
        "--B\r\nContent-Type: message/delivery-status\r\n\r\n"
        "Reporting-MTA: dns; mx.blog.example\r\n\r\n"
        "Final-Recipient: rfc822; editor@blog.example\r\nAction: failed\r\nStatus: 5.1.1\r\n\r\n"
        "--B\r\nContent-Type: text/rfc822-headers\r\n\r\n"
        f"Message-ID: {first.message_id}\r\nSubject: Hi Ada\r\n\r\n--B--\r\n"
    ).encode()
    dovecot.append(dsn)
    mailbox = db.session.get(Mailbox, first.mailbox_id)
    assert mailbox is not None
    assert poll(mailbox)["bounces"] == 1
    db.session.expire_all()
    assert db.session.get_one(Contact, first.contact_id).bouncing is True
    assert db.session.get_one(OutboundMessage, follow_up.id).status is MessageStatus.CANCELLED
    assert db.session.get_one(Prospect, first.prospect_id).stage is Stage.CONTACTED
