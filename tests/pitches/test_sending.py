"""Sending through a real SMTP server: the bytes that arrive, threading, limits, no duplicates."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from outreach.accounts.models import Workspace
from outreach.extensions import db
from outreach.pitches import outbox, replies, sequences, suppression
from outreach.pitches.models import MessageStatus, OutboundMessage, SmtpSecurity
from outreach.pitches.sending import deliver
from outreach.prospects.models import Prospect, Stage
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


def _make_due(rows: list[OutboundMessage]) -> None:
    for row in rows:
        row.scheduled_at = datetime(2020, 1, 1)
    db.session.commit()


def _setup(factory: Factory, port: int, **mailbox: object) -> tuple[Workspace, int, list[int]]:
    _, workspace = factory.user_with_workspace("owner@example.com", "Acme")
    workspace.postal_address = "1 Trail Road, Bristol"
    campaign = builders.campaign_with_sequence(factory, workspace, steps=2)
    prospect, contact = builders.prospect(workspace, campaign)
    box = builders.mailbox(workspace, port, **mailbox)
    enrollment = sequences.enroll(campaign, prospect, contact, box)
    db.session.commit()
    return workspace, enrollment.id, [r.id for r in _rows(enrollment.id)]


def test_pitch_and_follow_up_arrive_threaded_with_unsubscribe_headers_over_starttls(
    app: Flask, factory: Factory, tls_smtp: SmtpServer
) -> None:
    app.config["OUTREACH_SMTP_CAFILE"] = str(tls_smtp.cert)
    _, enrollment_id, ids = _setup(
        factory,
        tls_smtp.port,
        smtp_security=SmtpSecurity.STARTTLS,
        smtp_username=SmtpServer.USER,
        password=SmtpServer.PASSWORD,
    )
    assert deliver(ids) == {"sent": 1, "not_due": 1}
    _make_due(_rows(enrollment_id))
    assert deliver(ids) == {"not_queued": 1, "sent": 1}

    first, second = (r.message for r in tls_smtp.recorder.received)
    rows = _rows(enrollment_id)
    assert first["Message-ID"] == rows[0].message_id
    assert first["Subject"] == "Hi Ada"
    assert first["From"] == "Sam Sender <sender@ours.example>"
    assert first["To"] == "editor@blog.example"
    part = first.get_body()
    assert part is not None
    body = part.get_content()
    assert "I liked Ten trails on blog.example." in body
    assert "Our guide: https://ours.example/guide" in body
    assert "1 Trail Road, Bristol" in body
    assert "\r\n-- \r\n" in body  # the signature separator, with its trailing space
    link = f"http://localhost/u/{rows[0].unsubscribe_token}"
    mailto = f"mailto:sender@ours.example?subject=unsubscribe%20{rows[0].unsubscribe_token}"
    assert " ".join(str(first["List-Unsubscribe"]).split()) == f"<{link}>, <{mailto}>"
    assert first["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert second["Subject"] == "Re: Hi Ada"
    assert second["In-Reply-To"] == rows[0].message_id
    assert second["References"] == rows[0].message_id
    assert db.session.get_one(Prospect, rows[0].prospect_id).stage is Stage.CONTACTED


def test_running_the_same_batch_again_sends_nothing_twice(
    app: Flask, factory: Factory, smtp: SmtpServer
) -> None:
    _, enrollment_id, ids = _setup(factory, smtp.port)
    deliver(ids)
    deliver(ids)
    deliver([ids[0], ids[0]])
    assert smtp.recorder.message_ids() == [_rows(enrollment_id)[0].message_id]


def test_suppression_is_checked_at_send_time_and_stops_the_sequence(
    app: Flask, factory: Factory, smtp: SmtpServer
) -> None:
    workspace, enrollment_id, ids = _setup(factory, smtp.port)
    suppression.suppress(workspace.id, "blog.example")
    db.session.commit()
    assert deliver(ids) == {"cancelled": 1, "not_queued": 1}
    assert smtp.recorder.received == []
    first, follow_up = _rows(enrollment_id)
    assert first.status is MessageStatus.CANCELLED and "blog.example" in (first.hold_reason or "")
    assert follow_up.status is MessageStatus.CANCELLED


def test_message_with_an_empty_field_is_held_with_the_reason_not_sent_blank(
    app: Flask, factory: Factory, smtp: SmtpServer
) -> None:
    _, workspace = factory.user_with_workspace("owner@example.com", "Acme")
    campaign = builders.campaign_with_sequence(factory, workspace, steps=1)
    prospect, contact = builders.prospect(workspace, campaign, page_title="")
    enrollment = sequences.enroll(
        campaign, prospect, contact, builders.mailbox(workspace, smtp.port)
    )
    db.session.commit()
    (row,) = _rows(enrollment.id)
    assert row.status is MessageStatus.HELD
    assert "prospect.page_title" in (row.hold_reason or "")
    deliver([row.id])
    assert smtp.recorder.received == []


def test_contact_pitched_recently_from_another_campaign_is_held_with_a_warning(
    app: Flask, factory: Factory, smtp: SmtpServer
) -> None:
    workspace, enrollment_id, ids = _setup(factory, smtp.port)
    deliver(ids)
    other = builders.campaign_with_sequence(factory, workspace, steps=1)
    prospect = Prospect(
        workspace_id=workspace.id, campaign_id=other.id, domain="blog.example", page_title="T"
    )
    db.session.add(prospect)
    db.session.commit()
    first_prospect = db.session.get(Prospect, _rows(enrollment_id)[0].prospect_id)
    assert first_prospect is not None
    contact = sequences.contacts_of(first_prospect)[0]
    second = sequences.enroll(other, prospect, contact, builders.mailbox(workspace, smtp.port))
    db.session.commit()
    (row,) = _rows(second.id)
    assert row.status is MessageStatus.HELD and "already pitched" in (row.hold_reason or "")


def test_daily_cap_and_minimum_gap_are_kept(app: Flask, factory: Factory, smtp: SmtpServer) -> None:
    _, workspace = factory.user_with_workspace("owner@example.com", "Acme")
    campaign = builders.campaign_with_sequence(factory, workspace, steps=1)
    box = builders.mailbox(workspace, smtp.port, daily_cap=2, min_gap_seconds=1)
    ids = []
    for n in range(3):
        prospect, contact = builders.prospect(workspace, campaign, domain=f"site{n}.example")
        enrollment = sequences.enroll(campaign, prospect, contact, box)
        db.session.commit()
        ids += [r.id for r in _rows(enrollment.id)]
    assert deliver(ids) == {"sent": 2, "daily_cap": 1}
    first, second = smtp.recorder.received
    assert second.at - first.at >= 1.0
    assert outbox.counts_of(workspace.id)[MessageStatus.QUEUED] == 1


def test_weekends_are_skipped_for_follow_ups() -> None:
    friday = datetime(2026, 11, 27, 10)
    assert sequences.add_business_days(friday, 1) == datetime(2026, 11, 30, 10)
    assert sequences.add_business_days(friday, 3) == datetime(2026, 12, 2, 10)
    saturday = datetime(2026, 12, 5, 0, 13)
    assert sequences.add_business_days(saturday, 1) == datetime(2026, 12, 7, 0, 13)


def test_a_follow_up_skips_its_mailboxs_weekend_not_utcs() -> None:
    friday_evening_in_new_york = datetime(2026, 12, 5, 2, 0, tzinfo=UTC)  # Saturday in UTC
    monday_evening = datetime(2026, 12, 8, 2, 0, tzinfo=UTC)  # Monday 21:00 in New York
    assert sequences.add_business_days(friday_evening_in_new_york, 1, "America/New_York") == (
        monday_evening
    )
    utc_monday = datetime(2026, 12, 7, 2, 0, tzinfo=UTC)  # Sunday 21:00 in New York
    assert sequences.add_business_days(friday_evening_in_new_york, 1) == utc_monday


def test_an_absence_ending_on_a_weekend_moves_the_next_step_to_monday_morning(
    factory: Factory,
) -> None:
    _, workspace = factory.user_with_workspace("owner@example.com", "Acme")
    campaign = builders.campaign_with_sequence(factory, workspace, steps=2)
    item, contact = builders.prospect(workspace, campaign)
    box = builders.mailbox(
        workspace, 25, timezone="Europe/Berlin", sending_start_hour=9, sending_end_hour=17
    )
    sequences.enroll(campaign, item, contact, box)
    db.session.commit()
    moved = replies.delay_next_step(workspace.id, item.id, contact.id, date(2027, 1, 9))
    assert moved == datetime(2027, 1, 11, 8, 0, tzinfo=UTC)  # Monday 09:00 in Berlin


def test_a_sequence_started_on_a_saturday_sends_its_first_step_at_once(
    factory: Factory, smtp: SmtpServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    saturday = datetime(2026, 12, 5, 0, 13, tzinfo=UTC)
    monkeypatch.setattr(sequences, "utcnow", lambda: saturday)
    _, enrollment_id, _ = _setup(factory, smtp.port)
    first, follow_up = _rows(enrollment_id)
    assert first.scheduled_at is not None and follow_up.scheduled_at is not None
    assert first.scheduled_at.replace(tzinfo=UTC) == saturday  # not Monday: a person started it
    later = datetime(2026, 12, 9, 0, 13, tzinfo=UTC)  # three business days on: a Wednesday
    assert follow_up.scheduled_at.replace(tzinfo=UTC) == later


def test_one_click_unsubscribe_works_without_login_and_suppresses_the_address(
    app: Flask, client: FlaskClient, factory: Factory, smtp: SmtpServer
) -> None:
    app.config["WTF_CSRF_ENABLED"] = True
    workspace, enrollment_id, ids = _setup(factory, smtp.port)
    deliver(ids)
    token = _rows(enrollment_id)[0].unsubscribe_token
    assert client.get(f"/u/{token}").status_code == 200
    response = client.post(f"/u/{token}", data={"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    app.config["WTF_CSRF_ENABLED"] = False
    assert suppression.suppressed_by(workspace.id, "editor@blog.example") == "•••@blog.example"
    assert _rows(enrollment_id)[1].status is MessageStatus.CANCELLED
    assert client.post("/u/not-a-token").status_code == 404
