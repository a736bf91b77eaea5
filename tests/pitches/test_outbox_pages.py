"""The outbox shows fifty messages a page, newest first, with links to older and newer."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient

from outreach.extensions import db
from outreach.pitches.models import MessageStatus, OutboundMessage
from outreach.prospects.models import Contact, Prospect
from tests.factories import Factory, SignIn


def test_the_outbox_pages_through_every_message(
    app: Flask, client: FlaskClient, auth: SignIn, factory: Factory
) -> None:
    _, workspace = auth()
    campaign = factory.campaign(workspace)
    with app.app_context():
        prospect = Prospect(workspace_id=workspace.id, campaign_id=campaign.id, domain="a.example")
        contact = Contact(workspace_id=workspace.id, email="ed@a.example", domain="a.example")
        db.session.add_all([prospect, contact])
        db.session.flush()
        db.session.add_all(
            OutboundMessage(
                workspace_id=workspace.id, prospect_id=prospect.id, contact_id=contact.id,
                status=MessageStatus.QUEUED, message_id=f"<m{n}@x>", subject=f"Subject {n:03d}",
                body="Hello",
            )
            for n in range(60)
        )  # fmt: skip
        db.session.commit()
    first = client.get("/pitches/outbox").get_data(as_text=True)
    assert first.count("Subject 0") == 50
    assert "Subject 059" in first and "Subject 009" not in first  # newest first
    assert 'rel="next"' in first and 'rel="prev"' not in first
    second = client.get("/pitches/outbox?page=2").get_data(as_text=True)
    assert second.count("Subject 0") == 10
    assert "Subject 000" in second and 'rel="prev"' in second and 'rel="next"' not in second
    queued = client.get("/pitches/outbox?status=queued&page=2").get_data(as_text=True)
    assert queued.count("Subject 0") == 10 and "status=queued" in queued
