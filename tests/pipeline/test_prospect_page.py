"""A prospect's page (timeline, notes, details) and the personal today page."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask.testing import FlaskClient

from outreach.db import utcnow
from outreach.extensions import db
from outreach.links.models import LinkCheck, LinkStatus, PlacedLink
from outreach.pitches.models import InboundMessage, MessageStatus, OutboundMessage
from outreach.prospects.models import Contact
from tests.factories import Factory, SignIn
from tests.pipeline.helpers import current, prospect, teammate


def _mail(item: Any) -> None:
    """A sent and a queued message, a reply, and a link check for the prospect."""
    contact = Contact(workspace_id=item.workspace_id, email="ed@one.example", domain="one.example")
    db.session.add(contact)
    db.session.flush()
    now = utcnow()
    for status, subject in (
        (MessageStatus.SENT, "Guest post idea"),
        (MessageStatus.QUEUED, "Not yet"),
    ):
        db.session.add(
            OutboundMessage(
                workspace_id=item.workspace_id,
                prospect_id=item.id,
                contact_id=contact.id,
                status=status,
                message_id=f"<{subject.replace(' ', '')}@ours>",
                subject=subject,
                body="Hello there",
                sent_at=now - timedelta(days=2) if status is MessageStatus.SENT else None,
            )
        )
    db.session.add(
        InboundMessage(
            workspace_id=item.workspace_id,
            prospect_id=item.id,
            message_id="<reply@theirs>",
            from_email="ed@one.example",
            subject="Re: Guest post idea",
            body="Sounds good",
            received_at=now - timedelta(days=1),
        )
    )
    link = PlacedLink(
        workspace_id=item.workspace_id,
        prospect_id=item.id,
        page_url="https://one.example/post",
        target_url="https://ours.example/",
    )
    db.session.add(link)
    db.session.flush()
    db.session.add(LinkCheck(placed_link_id=link.id, verdict=LinkStatus.NOFOLLOW, http_status=200))
    db.session.commit()


def test_timeline_shows_messages_notes_stage_changes_and_link_checks(
    client: FlaskClient, auth: SignIn, factory: Factory
) -> None:
    _, workspace = auth()
    item = prospect(factory.campaign(workspace), "one.example")
    _mail(item)
    client.post(f"/prospects/{item.id}/move", data={"stage": "qualified", "version": 1})
    client.post(f"/prospects/{item.id}/notes", data={"text": "Met Ed at a conference"})
    page = client.get(f"/prospects/{item.id}").get_data(as_text=True)
    timeline = page[page.index('<ol class="timeline">') :]
    assert "Sent: Guest post idea" in timeline and "Not yet" not in timeline
    assert "Reply from ed@one.example: Re: Guest post idea" in timeline
    assert "Met Ed at a conference" in timeline
    assert "Moved from Prospect to Qualified" in timeline
    assert "Link check: nofollow (HTTP 200)" in timeline
    assert "· Owner" in timeline  # who moved it and who wrote the note
    assert timeline.index("Met Ed") < timeline.index("Reply from") < timeline.index("Sent:")


def test_an_empty_note_is_refused(client: FlaskClient, auth: SignIn, factory: Factory) -> None:
    _, workspace = auth()
    item = prospect(factory.campaign(workspace), "one.example")
    response = client.post(
        f"/prospects/{item.id}/notes", data={"text": "   "}, follow_redirects=True
    )
    assert "Write something in the note first." in response.get_data(as_text=True)
    assert "entry-note" not in response.get_data(as_text=True)


def test_owner_due_date_and_reminder_are_editable_on_the_prospect_page(
    client: FlaskClient, auth: SignIn, factory: Factory
) -> None:
    _, workspace = auth()
    mate = teammate(workspace)
    item = prospect(factory.campaign(workspace), "one.example")
    response = client.post(
        f"/prospects/{item.id}/details",
        data={
            "owner": str(mate.id),
            "due_on": "2030-05-03",
            "reminder": "follow up by hand on Friday",
            "version": "1",
        },
        follow_redirects=True,
    )
    assert "Details saved." in response.get_data(as_text=True)
    saved = current(item.id)
    assert (saved.owner_id, saved.due_on.isoformat() if saved.due_on else None) == (
        mate.id,
        "2030-05-03",
    )
    assert saved.reminder == "follow up by hand on Friday"
    assert "Details changed" in response.get_data(as_text=True)


def test_details_saved_over_a_teammates_change_are_refused(
    client: FlaskClient, auth: SignIn, factory: Factory
) -> None:
    _, workspace = auth()
    item = prospect(factory.campaign(workspace), "one.example")
    client.post(f"/prospects/{item.id}/move", data={"stage": "replied", "version": 1})
    response = client.post(
        f"/prospects/{item.id}/details",
        data={"owner": "", "due_on": "", "reminder": "mine", "version": "1"},
        follow_redirects=True,
    )
    assert "changed by someone else" in response.get_data(as_text=True)
    assert current(item.id).reminder is None


def test_details_refuse_an_owner_outside_the_workspace(
    client: FlaskClient, auth: SignIn, factory: Factory
) -> None:
    _, workspace = auth()
    stranger, _ = factory.user_with_workspace("stranger@example.com", "Elsewhere")
    item = prospect(factory.campaign(workspace), "one.example")
    data = {"owner": str(stranger.id), "version": "1"}
    response = client.post(f"/prospects/{item.id}/details", data=data)
    assert response.status_code == 400 and current(item.id).owner_id is None
