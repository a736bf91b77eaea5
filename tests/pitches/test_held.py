"""Held messages: a release renders again with today's data; one message can be edited by hand."""

from __future__ import annotations

from datetime import timedelta

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from outreach.db import utcnow
from outreach.extensions import db
from outreach.pitches import library, sequences
from outreach.pitches.models import MessageStatus, OutboundMessage
from outreach.pitches.sending import deliver
from outreach.prospects.models import Contact
from tests.factories import Factory
from tests.pitches import builders
from tests.support.smtp import SmtpServer

SUBJECT = "Quick idea for {{ prospect.domain }}, {{ contact.first_name }}"


def _rows(enrollment_id: int) -> list[OutboundMessage]:
    return list(
        db.session.scalars(
            select(OutboundMessage)
            .where(OutboundMessage.enrollment_id == enrollment_id)
            .order_by(OutboundMessage.id)
            .execution_options(populate_existing=True)
        )
    )


def _held(factory: Factory, client: FlaskClient, port: int) -> tuple[int, Contact]:
    _, workspace = factory.user_with_workspace("owner@example.com", "Acme")
    campaign = factory.campaign(workspace, target_pages=["https://ours.example/guide"])
    first = library.create_template(
        workspace.id, "F", campaign.kind, SUBJECT, "Hello {{ contact.first_name }}"
    )
    later = library.create_template(workspace.id, "L", campaign.kind, "x", "Any news?")
    sequences.add_step(campaign, first, 0)
    sequences.add_step(campaign, later, 1)
    prospect, contact = builders.prospect(workspace, campaign, first_name="")
    enrollment = sequences.enroll(campaign, prospect, contact, builders.mailbox(workspace, port))
    db.session.commit()
    client.post("/login", data={"email": "owner@example.com", "password": Factory.PASSWORD})
    return enrollment.id, contact


def test_release_renders_again_and_stays_held_while_a_field_is_empty(
    app: Flask, client: FlaskClient, factory: Factory, smtp: SmtpServer
) -> None:
    enrollment_id, contact = _held(factory, client, smtp.port)
    first, follow_up = _rows(enrollment_id)
    assert first.status is MessageStatus.HELD and "contact.first_name" in (first.hold_reason or "")

    response = client.post(f"/pitches/outbox/{first.id}/release", follow_redirects=True)
    assert "Still held: empty merge field(s) without a default: contact.first_name" in (
        response.get_data(as_text=True)
    )
    assert _rows(enrollment_id)[0].status is MessageStatus.HELD

    contact.first_name = "Ada"
    db.session.commit()
    client.post(f"/pitches/outbox/{first.id}/release")
    first, follow_up = _rows(enrollment_id)
    assert first.status is MessageStatus.QUEUED
    assert first.subject == "Quick idea for blog.example, Ada" and first.body == "Hello Ada"
    assert follow_up.subject == "Re: Quick idea for blog.example, Ada"
    assert deliver([first.id]) == {"sent": 1}
    follow_up.scheduled_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert deliver([follow_up.id]) == {"sent": 1}
    sent, then = (r.message for r in smtp.recorder.received)
    assert sent["Subject"] == "Quick idea for blog.example, Ada"
    assert then["Subject"] == "Re: Quick idea for blog.example, Ada"
    assert b"{{" not in smtp.recorder.received[0].data + smtp.recorder.received[1].data


def test_one_held_message_can_be_edited_by_hand_and_is_sent_as_written(
    app: Flask, client: FlaskClient, factory: Factory, smtp: SmtpServer
) -> None:
    enrollment_id, _ = _held(factory, client, smtp.port)
    first = _rows(enrollment_id)[0]
    page = client.get(f"/pitches/outbox/{first.id}/edit").get_data(as_text=True)
    assert "Quick idea for {{ prospect.domain }}" in page
    refused = client.post(
        f"/pitches/outbox/{first.id}/edit",
        data={"subject": "Quick idea, {{ contact.first_name }}", "body": "Hello"},
        follow_redirects=True,
    )
    assert "Replace the merge fields" in refused.get_data(as_text=True)
    client.post(
        f"/pitches/outbox/{first.id}/edit",
        data={"subject": "Quick idea for blog.example", "body": "Hello there,\nA thought."},
    )
    assert _rows(enrollment_id)[0].status is MessageStatus.HELD
    client.post(f"/pitches/outbox/{first.id}/release")
    first, follow_up = _rows(enrollment_id)
    assert first.status is MessageStatus.QUEUED and first.edited_at is not None
    assert follow_up.subject == "Re: Quick idea for blog.example"
    assert deliver([first.id]) == {"sent": 1}
    (received,) = smtp.recorder.received
    assert received.message["Subject"] == "Quick idea for blog.example"
    body = received.message.get_body()
    assert body is not None and "Hello there,\r\nA thought." in body.get_content()
