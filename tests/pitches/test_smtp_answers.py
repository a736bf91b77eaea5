"""What a real SMTP server answers (aiosmtpd, scripted): 4xx is retried with a backoff."""

from __future__ import annotations

from datetime import timedelta

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from outreach.activity.models import Activity
from outreach.db import utcnow
from outreach.extensions import db
from outreach.pitches import delivery, sequences
from outreach.pitches.models import Mailbox, MessageStatus, OutboundMessage
from outreach.pitches.sending import deliver
from outreach.prospects.models import Contact, Prospect, Stage
from tests.factories import Factory
from tests.pitches import builders
from tests.support.smtp import SmtpServer


def _rows(enrollment_id: int) -> list[OutboundMessage]:
    return list(
        db.session.scalars(
            select(OutboundMessage)
            .where(OutboundMessage.enrollment_id == enrollment_id)
            .order_by(OutboundMessage.id)
            .execution_options(populate_existing=True)
        )
    )


def _enrolled(factory: Factory, port: int) -> tuple[int, list[int]]:
    _, workspace = factory.user_with_workspace("owner@example.com", "Acme")
    campaign = builders.campaign_with_sequence(factory, workspace, steps=2)
    prospect, contact = builders.prospect(workspace, campaign)
    enrollment = sequences.enroll(campaign, prospect, contact, builders.mailbox(workspace, port))
    db.session.commit()
    return enrollment.id, [r.id for r in _rows(enrollment.id)]


def _due_now(row: OutboundMessage) -> None:
    row.scheduled_at = utcnow() - timedelta(seconds=1)
    db.session.commit()


def _contact(row: OutboundMessage) -> Contact:
    db.session.expire_all()
    return db.session.get_one(Contact, row.contact_id)


def _actions(prospect_id: int) -> list[str]:
    return list(
        db.session.scalars(select(Activity.action).where(Activity.subject_id == prospect_id))
    )


def test_greylisting_450_at_rcpt_is_retried_later_and_sent_once(
    app: Flask, factory: Factory, smtp: SmtpServer
) -> None:
    enrollment_id, ids = _enrolled(factory, smtp.port)
    smtp.recorder.rcpt_answers = ["450 4.2.0 <editor@blog.example>: Greylisted, try again later"]
    before = utcnow()
    assert deliver(ids) == {"deferred": 1, "not_due": 1}
    first, follow_up = _rows(enrollment_id)
    assert first.status is MessageStatus.QUEUED and first.attempts == 1
    assert first.scheduled_at is not None
    assert timedelta(minutes=5) <= first.scheduled_at - before < timedelta(minutes=6)
    assert "450 4.2.0 (greylisted) at RCPT" in (first.error or "")
    assert _contact(first).bouncing is False
    assert deliver(ids) == {"not_due": 2}  # not every minute: it waits for its time
    assert smtp.recorder.received == []

    _due_now(first)
    assert deliver(ids) == {"sent": 1, "not_due": 1}
    assert deliver(ids) == {"not_queued": 1, "not_due": 1}  # a second run sends nothing twice
    assert smtp.recorder.message_ids() == [first.message_id]
    first, follow_up = _rows(enrollment_id)
    assert first.status is MessageStatus.SENT and first.deferred_since is None
    assert follow_up.status is MessageStatus.QUEUED
    assert db.session.get_one(Prospect, first.prospect_id).stage is Stage.CONTACTED


def test_421_at_rcpt_backs_off_5_minutes_30_minutes_2_hours_then_8_hours(
    app: Flask, factory: Factory, smtp: SmtpServer
) -> None:
    enrollment_id, ids = _enrolled(factory, smtp.port)
    waits = []
    for _ in range(5):
        smtp.recorder.rcpt_answers = ["421 4.7.0 Try again later, closing connection"]
        _due_now(_rows(enrollment_id)[0])
        now = utcnow()
        assert deliver(ids[:1]) == {"deferred": 1}
        row = _rows(enrollment_id)[0]
        assert row.scheduled_at is not None
        waits.append(round((row.scheduled_at - now).total_seconds() / 60))
    assert waits == [5, 30, 120, 480, 480]
    assert row.attempts == 5 and "421 4.7.0" in (row.error or "")
    assert _contact(row).bouncing is False
    assert smtp.recorder.received == []


def test_451_at_data_gives_up_after_three_days_with_the_last_answer_shown(
    app: Flask, client: FlaskClient, factory: Factory, smtp: SmtpServer
) -> None:
    enrollment_id, ids = _enrolled(factory, smtp.port)
    smtp.recorder.data_answers = ["451 4.3.0 Temporary local problem", "451 4.3.0 Still busy"]
    assert deliver(ids[:1]) == {"deferred": 1}
    first = _rows(enrollment_id)[0]
    first.deferred_since = utcnow() - timedelta(days=3, minutes=1)  # three days of tries later
    _due_now(first)
    assert deliver(ids) == {"failed": 1, "not_queued": 1}
    first, follow_up = _rows(enrollment_id)
    assert first.status is MessageStatus.FAILED
    assert "gave up after 2 tries over 3 days" in (first.error or "")
    assert "last answer: 451 4.3.0 at DATA" in (first.error or "")
    assert follow_up.status is MessageStatus.CANCELLED  # the sequence cannot go on without it
    assert _contact(first).bouncing is False
    assert smtp.recorder.received == []
    assert "email_failed" in _actions(first.prospect_id)
    client.post("/login", data={"email": "owner@example.com", "password": Factory.PASSWORD})
    page = client.get("/pitches/outbox").get_data(as_text=True)
    assert "451 4.3.0 at DATA" in page and "Still busy" not in page  # never the server's words


def test_550_unknown_user_at_rcpt_marks_the_contact_and_stops_the_sequence(
    app: Flask, factory: Factory, smtp: SmtpServer
) -> None:
    enrollment_id, ids = _enrolled(factory, smtp.port)
    smtp.recorder.rcpt_answers = ["550 5.1.1 <editor@blog.example>: User unknown"]
    assert deliver(ids) == {"failed": 1, "not_queued": 1}  # the follow-up was cancelled
    first, follow_up = _rows(enrollment_id)
    assert first.status is MessageStatus.FAILED and "550 5.1.1" in (first.error or "")
    assert follow_up.status is MessageStatus.CANCELLED
    assert _contact(first).bouncing is True
    assert "email_bounced" in _actions(first.prospect_id)


def test_5_7_1_block_list_rejection_holds_the_message_and_shows_on_the_mailbox_page(
    app: Flask, client: FlaskClient, factory: Factory, smtp: SmtpServer
) -> None:
    enrollment_id, ids = _enrolled(factory, smtp.port)
    smtp.recorder.rcpt_answers = [
        "550 5.7.1 Service unavailable; Client host [127.0.0.1] blocked using zen.spamhaus.org"
    ]
    assert deliver(ids) == {"held": 1, "not_due": 1}
    first, follow_up = _rows(enrollment_id)
    assert first.status is MessageStatus.HELD
    assert "550 5.7.1 (listed by Spamhaus) at RCPT" in (first.hold_reason or "")
    assert follow_up.status is MessageStatus.QUEUED  # the contact did nothing wrong
    assert _contact(first).bouncing is False
    box = db.session.get_one(Mailbox, first.mailbox_id)
    assert "5.7.1" in (box.sending_problem or "")
    client.post("/login", data={"email": "owner@example.com", "password": Factory.PASSWORD})
    page = client.get("/pitches/mailboxes").get_data(as_text=True)
    assert "Our sending was refused" in page and "listed by Spamhaus" in page
    client.post(f"/pitches/mailboxes/{box.id}/problem/clear")
    assert "Our sending was refused" not in client.get("/pitches/mailboxes").get_data(as_text=True)


def test_5_7_1_at_data_is_our_problem_too(app: Flask, factory: Factory, smtp: SmtpServer) -> None:
    enrollment_id, ids = _enrolled(factory, smtp.port)
    smtp.recorder.data_answers = ["554 5.7.1 Message rejected: DMARC policy of ours.example"]
    assert deliver(ids[:1]) == {"held": 1}
    first = _rows(enrollment_id)[0]
    assert _contact(first).bouncing is False
    assert "DMARC" in (db.session.get_one(Mailbox, first.mailbox_id).sending_problem or "")


def test_backoff_schedule_stops_at_three_days() -> None:
    start = utcnow()
    assert delivery.next_try(1, start, start) == start + timedelta(minutes=5)
    late = start + timedelta(days=2, hours=20)
    assert delivery.next_try(9, start, late) == start + timedelta(days=3)  # one last try
    assert delivery.next_try(10, start, start + timedelta(days=3)) is None
