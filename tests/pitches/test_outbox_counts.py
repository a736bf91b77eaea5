"""The outbox's counts per status: counted once per change of the outbox, whatever the change."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select, update

from outreach.extensions import db
from outreach.pitches import outbox, sequences
from outreach.pitches.deletion import delete_contact
from outreach.pitches.models import MessageStatus, OutboundMessage
from outreach.prospects.models import Contact
from tests.factories import Factory, SignIn
from tests.pitches import builders
from tests.support.statements import statements


def _counts(seen: list[str]) -> int:
    """How many of ``seen`` counted the outbox per status."""
    return sum("GROUP BY outbound_message.status" in statement for statement in seen)


def test_the_counts_are_shared_until_the_outbox_changes_in_any_way(
    app: Flask, client: FlaskClient, auth: SignIn, factory: Factory
) -> None:
    app.config["OUTREACH_PAGE_CACHE_SECONDS"] = 300
    user, workspace = auth()
    campaign = builders.campaign_with_sequence(factory, workspace, steps=2)
    item, contact = builders.prospect(workspace, campaign, "blog.example")
    sequences.enroll(campaign, item, contact, builders.mailbox(workspace))
    db.session.commit()
    with statements() as seen:
        assert ">queued: 2<" in client.get("/pitches/outbox").get_data(as_text=True)
        assert ">queued: 2<" in client.get("/pitches/outbox").get_data(as_text=True)
        assert _counts(seen) == 1  # the second page used the first one's counts

        first = db.session.scalars(select(OutboundMessage).order_by(OutboundMessage.id)).first()
        assert first is not None
        client.post(f"/pitches/outbox/{first.id}/cancel")  # a person's change, through the ORM
        assert outbox.counts_of(workspace.id)[MessageStatus.CANCELLED] == 1
        db.session.execute(  # a bulk change, as the sender's statements make
            update(OutboundMessage)
            .where(OutboundMessage.status == MessageStatus.QUEUED)
            .values(status=MessageStatus.FAILED)
        )
        db.session.commit()
        counts = outbox.counts_of(workspace.id)
        assert (counts[MessageStatus.QUEUED], counts[MessageStatus.FAILED]) == (0, 1)

        found = db.session.get(Contact, contact.id)
        assert found is not None
        delete_contact(found, user.id, keep_suppressed=False)  # its messages go with it
        db.session.commit()
        assert sum(outbox.counts_of(workspace.id).values()) == 0
        assert _counts(seen) == 4  # once per change, never for an unchanged outbox


def test_each_workspace_has_its_own_counts(app: Flask, auth: SignIn, factory: Factory) -> None:
    app.config["OUTREACH_PAGE_CACHE_SECONDS"] = 300
    _, workspace = auth()
    _, other = factory.user_with_workspace("other@example.com", "Other")
    campaign = builders.campaign_with_sequence(factory, workspace, steps=2)
    item, contact = builders.prospect(workspace, campaign, "blog.example")
    sequences.enroll(campaign, item, contact, builders.mailbox(workspace))
    db.session.commit()
    assert outbox.counts_of(workspace.id)[MessageStatus.QUEUED] == 2
    assert outbox.counts_of(other.id)[MessageStatus.QUEUED] == 0
