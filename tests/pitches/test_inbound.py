"""Automatic replies, read receipts and Outlook replies read through a real IMAP server (Dovecot).

Each case sends the first message of a two-step sequence through real SMTP, puts a
real-shaped answer in the mailbox, polls it, and checks the stage, the sequence, the contact
and what the prospect's page shows.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from flask.testing import FlaskClient
from sqlalchemy import select

from outreach.db import utcnow
from outreach.extensions import db
from outreach.pitches.imap import poll
from outreach.pitches.models import (
    EnrollmentStatus,
    InboundKind,
    InboundMessage,
    InboundTriage,
    Mailbox,
    MessageStatus,
    OutboundMessage,
    SequenceEnrollment,
)
from outreach.prospects.models import Contact, Prospect, Stage
from tests.factories import Factory
from tests.pitches import inbound_mail
from tests.support.imap import Dovecot
from tests.support.smtp import SmtpServer


def _poll(first: OutboundMessage) -> dict[str, int]:
    mailbox = db.session.get_one(Mailbox, first.mailbox_id)
    return poll(mailbox)


def _page(client: FlaskClient, prospect_id: int) -> str:
    client.post("/login", data={"email": "owner@example.com", "password": Factory.PASSWORD})
    return client.get(f"/prospects/{prospect_id}").get_data(as_text=True)


def _assert_sequence_goes_on(first: OutboundMessage, follow_up: OutboundMessage) -> None:
    db.session.expire_all()
    assert db.session.get_one(Prospect, first.prospect_id).stage is Stage.CONTACTED
    assert db.session.get_one(OutboundMessage, follow_up.id).status is MessageStatus.QUEUED
    assert follow_up.enrollment_id is not None
    enrollment = db.session.get_one(SequenceEnrollment, follow_up.enrollment_id)
    assert enrollment.status is EnrollmentStatus.ACTIVE
    assert db.session.get_one(Contact, first.contact_id).bouncing is False


def _only_inbound() -> InboundMessage:
    return db.session.scalars(select(InboundMessage)).one()


def test_exchange_automatic_reply_is_on_the_timeline_and_the_sequence_goes_on(
    app: object, client: FlaskClient, factory: Factory, smtp: SmtpServer, dovecot: Dovecot
) -> None:
    first, follow_up = inbound_mail.sent_pitch(factory, smtp, dovecot)
    scheduled = follow_up.scheduled_at
    dovecot.append(
        inbound_mail.exchange_auto_reply(first, "Thank you for your e-mail. It has been received.")
    )
    assert _poll(first) == {"replies": 0, "bounces": 0, "unmatched": 0, "auto_replies": 1}
    _assert_sequence_goes_on(first, follow_up)
    assert db.session.get_one(OutboundMessage, follow_up.id).scheduled_at == scheduled
    inbound = _only_inbound()
    assert inbound.kind is InboundKind.AUTO_REPLY and inbound.matched_by == "headers"
    page = _page(client, first.prospect_id)
    assert "Automatic reply from editor@blog.example (the sequence goes on)" in page
    assert "Moved from Contacted to Replied" not in page


def test_gmail_vacation_reply_does_not_stop_the_sequence(
    app: object, client: FlaskClient, factory: Factory, smtp: SmtpServer, dovecot: Dovecot
) -> None:
    first, follow_up = inbound_mail.sent_pitch(factory, smtp, dovecot)
    scheduled = follow_up.scheduled_at
    dovecot.append(inbound_mail.gmail_vacation(first))
    assert _poll(first)["auto_replies"] == 1
    _assert_sequence_goes_on(first, follow_up)
    inbound = _only_inbound()
    assert inbound.kind is InboundKind.OUT_OF_OFFICE and inbound.return_on is None
    assert db.session.get_one(OutboundMessage, follow_up.id).scheduled_at == scheduled  # no date
    assert "Out of office from editor@blog.example" in _page(client, first.prospect_id)


def test_helpdesk_acknowledgement_is_an_automatic_reply(
    app: object, client: FlaskClient, factory: Factory, smtp: SmtpServer, dovecot: Dovecot
) -> None:
    first, follow_up = inbound_mail.sent_pitch(factory, smtp, dovecot)
    dovecot.append(inbound_mail.helpdesk_acknowledgement(first))
    assert _poll(first)["auto_replies"] == 1
    _assert_sequence_goes_on(first, follow_up)
    inbound = _only_inbound()
    assert inbound.kind is InboundKind.AUTO_REPLY
    assert inbound.from_email == "support@blog.example"
    assert "Automatic reply from support@blog.example" in _page(client, first.prospect_id)


def test_challenge_response_is_recorded_without_stopping_the_sequence(
    app: object, client: FlaskClient, factory: Factory, smtp: SmtpServer, dovecot: Dovecot
) -> None:
    first, follow_up = inbound_mail.sent_pitch(factory, smtp, dovecot)
    dovecot.append(inbound_mail.challenge_response(first))
    assert _poll(first)["auto_replies"] == 1
    _assert_sequence_goes_on(first, follow_up)
    assert _only_inbound().kind is InboundKind.CHALLENGE
    page = _page(client, first.prospect_id)
    assert "Challenge-response from editor@blog.example (asks us to verify" in page
    assert "https://verify.blog.example/c/7731" in page  # the person can answer the challenge


def test_read_receipt_matched_by_its_original_message_id_changes_nothing(
    app: object, client: FlaskClient, factory: Factory, smtp: SmtpServer, dovecot: Dovecot
) -> None:
    first, follow_up = inbound_mail.sent_pitch(factory, smtp, dovecot)
    dovecot.append(inbound_mail.read_receipt(first))
    assert _poll(first)["auto_replies"] == 1
    _assert_sequence_goes_on(first, follow_up)
    inbound = _only_inbound()
    assert inbound.kind is InboundKind.READ_RECEIPT and inbound.matched_by == "headers"
    assert "Read receipt from editor@blog.example" in _page(client, first.prospect_id)


def test_out_of_office_with_a_return_date_delays_the_next_step_until_then(
    app: object, client: FlaskClient, factory: Factory, smtp: SmtpServer, dovecot: Dovecot
) -> None:
    first, follow_up = inbound_mail.sent_pitch(factory, smtp, dovecot)
    back = (utcnow() + timedelta(days=40)).date()
    while back.weekday() >= 5:
        back += timedelta(days=1)
    away_until = back - timedelta(days=1)
    body = (
        f"I am out of the office until {away_until:%A %d %B %Y} with limited access to "
        f"e-mail, and back on {back.day} {back:%B}. For urgent matters contact "
        "desk@blog.example."
    )
    dovecot.append(inbound_mail.exchange_out_of_office_without_thread_headers(first, body))
    assert _poll(first)["auto_replies"] == 1
    db.session.expire_all()
    inbound = _only_inbound()
    assert inbound.kind is InboundKind.OUT_OF_OFFICE and inbound.return_on == back
    assert inbound.matched_by == "sender and subject"  # Exchange named no Message-ID of ours
    delayed = db.session.get_one(OutboundMessage, follow_up.id)
    assert delayed.status is MessageStatus.QUEUED
    assert delayed.scheduled_at == datetime(back.year, back.month, back.day, tzinfo=UTC)
    assert db.session.get_one(Prospect, first.prospect_id).stage is Stage.CONTACTED
    page = _page(client, first.prospect_id)
    assert f"Out of office from editor@blog.example (back on {back.isoformat()})" in page
    assert f"Next step delayed until {back.isoformat()} (out of office)" in page


def test_outlook_reply_without_thread_headers_is_matched_by_sender_and_subject(
    app: object, client: FlaskClient, factory: Factory, smtp: SmtpServer, dovecot: Dovecot
) -> None:
    first, follow_up = inbound_mail.sent_pitch(factory, smtp, dovecot)
    dovecot.append(inbound_mail.unrelated())
    dovecot.append(inbound_mail.outlook_reply(first))
    assert _poll(first) == {"replies": 1, "bounces": 0, "unmatched": 1}
    db.session.expire_all()
    assert db.session.get_one(Prospect, first.prospect_id).stage is Stage.REPLIED
    assert db.session.get_one(OutboundMessage, follow_up.id).status is MessageStatus.CANCELLED
    inbound = _only_inbound()
    assert inbound.kind is InboundKind.REPLY and inbound.matched_by == "sender and subject"
    assert inbound.body.startswith("Yes, happy to take a guest post.")
    assert "I liked Ten trails" not in inbound.body and "I liked Ten trails" in inbound.quoted
    page = _page(client, first.prospect_id)
    assert "Reply from editor@blog.example: RE: Hi Ada" in page
    body_at = page.index("Yes, happy to take a guest post.")
    toggle_at = page.index("<summary>Quoted text</summary>", body_at)
    assert toggle_at < page.index("I liked Ten trails on blog.example.", body_at)
    assert "<script>" not in page  # the toggle is <details>, no inline script


def test_a_human_reply_with_an_out_of_office_word_still_stops_the_sequence(
    app: object, factory: Factory, smtp: SmtpServer, dovecot: Dovecot
) -> None:
    first, follow_up = inbound_mail.sent_pitch(factory, smtp, dovecot)
    reply = (
        f"From: {inbound_mail.ADA}\r\nTo: sender@ours.example\r\nSubject: Re: {first.subject}\r\n"
        f"Message-ID: <human-1@blog.example>\r\nIn-Reply-To: {first.message_id}\r\n\r\n"
        "Sorry, I was out of the office until today. Yes, send it over!\r\n"
    ).encode()
    dovecot.append(reply)
    assert _poll(first)["replies"] == 1
    db.session.expire_all()
    assert db.session.get_one(Prospect, first.prospect_id).stage is Stage.REPLIED
    assert db.session.get_one(OutboundMessage, follow_up.id).status is MessageStatus.CANCELLED
    assert _only_inbound().triage is InboundTriage.MATCHED
