"""Deleting mailboxes, templates, contacts and campaigns: a confirmation step, owners (and a
mailbox's own user) only, nothing of another workspace; a deleted contact leaves no readable
trace of its address, is gone from the outbox, and stays suppressed by hash."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import String, Text, func, select

from outreach.accounts.models import Workspace
from outreach.campaigns.models import Campaign
from outreach.crawl import services as crawl
from outreach.crawl.models import CrawlStatus
from outreach.db import Base
from outreach.extensions import db
from outreach.pitches import events, sequences, suppression
from outreach.pitches.models import (
    Mailbox,
    MessageStatus,
    OutboundMessage,
    PitchTemplate,
    SequenceStep,
    Suppression,
)
from outreach.pitches.sending import deliver
from outreach.prospects.models import Contact, Prospect, ProspectContact
from tests.factories import Factory
from tests.pipeline.helpers import teammate
from tests.pitches import builders
from tests.support.smtp import SmtpServer

ADDRESS = "editor@blog.example"


def _sign_in(client: FlaskClient, email: str) -> None:
    response = client.post("/login", data={"email": email, "password": Factory.PASSWORD})
    assert response.status_code == 302


def _enrolled(factory: Factory, port: int = 25) -> tuple[Workspace, Campaign, Contact, Mailbox]:
    _, workspace = factory.user_with_workspace("owner@example.com", "Acme")
    campaign = builders.campaign_with_sequence(factory, workspace, steps=2)
    prospect, contact = builders.prospect(workspace, campaign)
    box = builders.mailbox(workspace, port)
    sequences.enroll(campaign, prospect, contact, box)
    db.session.commit()
    return workspace, campaign, contact, box


def _count(model: type[Base]) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model)) or 0


def _database_text() -> str:
    """Every text value in every table, to look for an address that should be gone."""
    parts: list[str] = []
    for table in Base.metadata.sorted_tables:
        columns = [c for c in table.columns if isinstance(c.type, String | Text)]
        json_columns = [c for c in table.columns if c.type.__class__.__name__ == "JSON"]
        for row in db.session.execute(select(*columns, *json_columns)) if columns else ():
            parts.extend(str(value) for value in row)
    return "\n".join(parts).lower()


def _counts() -> tuple[int, int, int, int]:
    return (_count(Mailbox), _count(PitchTemplate), _count(Contact), _count(Campaign))


def test_every_deletion_asks_first_and_a_post_without_confirm_deletes_nothing(
    client: FlaskClient, factory: Factory
) -> None:
    workspace, campaign, contact, box = _enrolled(factory)
    template = builders.template(workspace, "Hi", "Hello", name="Spare")
    before = _counts()
    _sign_in(client, "owner@example.com")
    pages = {
        f"/pitches/mailboxes/{box.id}/delete": "2</strong> queued or held messages",
        f"/pitches/templates/{template.id}/delete": "Delete the template",
        f"/contacts/{contact.id}/delete": "2</strong> queued or held messages to them",
        f"/campaigns/{campaign.id}/delete": "1</strong> prospects",
    }
    for url, says in pages.items():
        page = client.get(url).get_data(as_text=True)
        assert says in page, url
        assert 'name="confirm" value="yes"' in page
        assert client.post(url, data={}).status_code == 200, "no confirm: the page again"
    assert _counts() == before


def test_a_member_cannot_delete_what_only_owners_may(client: FlaskClient, factory: Factory) -> None:
    workspace, campaign, contact, box = _enrolled(factory)
    template = builders.template(workspace, "Hi", "Hello", name="Spare")
    before = _counts()
    teammate(workspace)
    _sign_in(client, "mate@example.com")
    for url in (
        f"/pitches/mailboxes/{box.id}/delete",  # the owner's mailbox
        f"/pitches/templates/{template.id}/delete",
        f"/contacts/{contact.id}/delete",
        f"/campaigns/{campaign.id}/delete",
    ):
        assert client.get(url).status_code == 403, url
        assert client.post(url, data={"confirm": "yes"}).status_code == 403, url
    assert _counts() == before


def test_a_member_deletes_their_own_mailbox_and_its_waiting_messages_are_cancelled(
    client: FlaskClient, factory: Factory
) -> None:
    workspace, _, _, _ = _enrolled(factory)
    mate = teammate(workspace)
    own = builders.mailbox(workspace, 25, user_id=mate.id, from_email="mate@ours.example")
    campaign = builders.campaign_with_sequence(factory, workspace, steps=1)
    prospect, contact = builders.prospect(workspace, campaign, domain="other.example")
    sequences.enroll(campaign, prospect, contact, own)
    db.session.commit()
    _sign_in(client, "mate@example.com")
    response = client.post(f"/pitches/mailboxes/{own.id}/delete", data={"confirm": "yes"})
    assert response.status_code == 302
    assert _count(Mailbox) == 1
    statuses = db.session.scalars(
        select(OutboundMessage.status).where(OutboundMessage.contact_id == contact.id)
    ).all()
    assert statuses == [MessageStatus.CANCELLED]


def test_a_template_used_by_a_sequence_is_not_deleted(
    client: FlaskClient, factory: Factory
) -> None:
    _, campaign, _, _ = _enrolled(factory)
    used = db.session.scalars(
        select(PitchTemplate)
        .join(SequenceStep, SequenceStep.template_id == PitchTemplate.id)
        .where(SequenceStep.campaign_id == campaign.id)
    ).first()
    assert used is not None
    before = _count(PitchTemplate)
    _sign_in(client, "owner@example.com")
    response = client.post(
        f"/pitches/templates/{used.id}/delete", data={"confirm": "yes"}, follow_redirects=True
    )
    assert f"The sequence of {campaign.name} uses this template" in response.get_data(as_text=True)
    assert _count(PitchTemplate) == before


def test_a_deleted_contact_leaves_the_outbox_and_no_readable_address_behind(
    app: Flask, client: FlaskClient, factory: Factory, smtp: SmtpServer
) -> None:
    workspace, campaign, contact, box = _enrolled(factory, smtp.port)
    prospect_id = db.session.scalars(select(Prospect.id)).one()
    events.after_unsubscribe(workspace.id, contact.id, prospect_id, ADDRESS)  # in the timeline
    queued = [m.id for m in db.session.scalars(select(OutboundMessage))]
    assert ADDRESS in _database_text()
    _sign_in(client, "owner@example.com")
    response = client.post(
        f"/contacts/{contact.id}/delete", data={"confirm": "yes", "suppress": "yes"}
    )
    assert response.status_code == 302
    assert _count(Contact) == 0 and _count(OutboundMessage) == 0
    deliver(queued)
    assert smtp.recorder.received == []
    assert ADDRESS not in _database_text(), "the address is gone from every table"
    entry = db.session.scalars(select(Suppression)).one()
    assert entry.label == "•••@blog.example" and len(entry.value_hash) == 64

    # Added again later (a new crawl finds them): the hash still stops every message.
    again = Contact(workspace_id=workspace.id, email=ADDRESS, first_name="Ada")
    db.session.add(again)
    db.session.flush()
    prospect = db.session.get(Prospect, prospect_id)
    assert prospect is not None
    db.session.add(ProspectContact(prospect_id=prospect_id, contact_id=again.id, is_primary=True))
    sequences.enroll(campaign, prospect, again, box)
    db.session.commit()
    ids = [m.id for m in db.session.scalars(select(OutboundMessage))]
    deliver(ids)
    assert smtp.recorder.received == []
    db.session.expire_all()
    first = db.session.scalars(select(OutboundMessage).order_by(OutboundMessage.id)).first()
    assert first is not None and first.status is MessageStatus.CANCELLED
    assert first.hold_reason == "suppressed (•••@blog.example)"


def test_a_contact_deleted_without_suppression_can_be_written_to_again(
    client: FlaskClient, factory: Factory
) -> None:
    workspace, _, contact, _ = _enrolled(factory)
    _sign_in(client, "owner@example.com")
    client.post(f"/contacts/{contact.id}/delete", data={"confirm": "yes"})
    assert _count(Contact) == 0 and _count(Suppression) == 0
    assert suppression.suppressed_by(workspace.id, ADDRESS) is None


def test_deleting_a_campaign_takes_its_prospects_and_outbox_and_waits_for_its_crawls(
    client: FlaskClient, factory: Factory
) -> None:
    _, campaign, _, _ = _enrolled(factory)
    run = crawl.create_run(campaign, sites="https://example.org/")
    db.session.commit()
    _sign_in(client, "owner@example.com")
    url = f"/campaigns/{campaign.id}/delete"
    page = client.post(url, data={"confirm": "yes"}, follow_redirects=True)
    assert "still running" in page.get_data(as_text=True)
    assert _count(Campaign) == 1
    run.status = CrawlStatus.FINISHED
    db.session.commit()
    assert client.post(url, data={"confirm": "yes"}).status_code == 302
    assert (_count(Campaign), _count(Prospect), _count(OutboundMessage)) == (0, 0, 0)
    assert _count(Contact) == 1, "contacts belong to the workspace, not to a campaign"


def test_nothing_is_deleted_while_one_of_its_messages_is_being_sent(
    client: FlaskClient, factory: Factory
) -> None:
    _, campaign, contact, box = _enrolled(factory)
    first = db.session.scalars(select(OutboundMessage).order_by(OutboundMessage.id)).first()
    assert first is not None
    first.status = MessageStatus.SENDING
    db.session.commit()
    _sign_in(client, "owner@example.com")
    for url in (
        f"/contacts/{contact.id}/delete",
        f"/pitches/mailboxes/{box.id}/delete",
        f"/campaigns/{campaign.id}/delete",
    ):
        page = client.post(url, data={"confirm": "yes"}, follow_redirects=True)
        assert "being handed to the mail server" in page.get_data(as_text=True), url
    assert (_count(Contact), _count(Mailbox), _count(Campaign)) == (1, 1, 1)
