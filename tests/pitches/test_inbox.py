"""Uncertain inbound messages wait in the inbox as "needs a look": attach or dismiss."""

from __future__ import annotations

from flask.testing import FlaskClient
from sqlalchemy import select

from outreach.extensions import db
from outreach.pitches.imap import poll
from outreach.pitches.models import (
    InboundKind,
    InboundMessage,
    InboundTriage,
    Mailbox,
    MessageStatus,
    OutboundMessage,
)
from outreach.prospects.models import Prospect, Stage
from tests.factories import Factory
from tests.pitches import inbound_mail
from tests.support.imap import Dovecot
from tests.support.smtp import SmtpServer

COLLEAGUE = "Chief Editor <chief@blog.example>"


def _login(client: FlaskClient, email: str = "owner@example.com") -> None:
    client.post("/login", data={"email": email, "password": Factory.PASSWORD})


def _uncertain(factory: Factory, smtp: SmtpServer, dovecot: Dovecot) -> list[OutboundMessage]:
    """A colleague of the contact answers from their own address, through Outlook."""
    rows = inbound_mail.sent_pitch(factory, smtp, dovecot)
    dovecot.append(inbound_mail.outlook_reply(rows[0], sender=COLLEAGUE))
    mailbox = db.session.get_one(Mailbox, rows[0].mailbox_id)
    assert poll(mailbox) == {"replies": 0, "bounces": 0, "unmatched": 0, "needs_look": 1}
    return rows


def test_an_uncertain_reply_needs_a_look_and_changes_nothing_yet(
    app: object, client: FlaskClient, factory: Factory, smtp: SmtpServer, dovecot: Dovecot
) -> None:
    first, follow_up = _uncertain(factory, smtp, dovecot)
    inbound = db.session.scalars(select(InboundMessage)).one()
    assert inbound.triage is InboundTriage.NEEDS_LOOK and inbound.prospect_id is None
    assert inbound.kind is InboundKind.REPLY and inbound.from_email == "chief@blog.example"
    db.session.expire_all()
    assert db.session.get_one(Prospect, first.prospect_id).stage is Stage.CONTACTED
    assert db.session.get_one(OutboundMessage, follow_up.id).status is MessageStatus.QUEUED
    _login(client)
    page = client.get("/pitches/inbox").get_data(as_text=True)
    assert "Needs a look (1)" in page and "chief@blog.example" in page
    assert f'<option value="{first.prospect_id}">blog.example</option>' in page
    assert "Chief Editor" not in client.get(f"/prospects/{first.prospect_id}").get_data(
        as_text=True
    )
    assert "chief@blog.example" not in client.get(f"/prospects/{first.prospect_id}").get_data(
        as_text=True
    )


def test_attaching_it_counts_as_the_prospects_reply(
    app: object, client: FlaskClient, factory: Factory, smtp: SmtpServer, dovecot: Dovecot
) -> None:
    first, follow_up = _uncertain(factory, smtp, dovecot)
    inbound = db.session.scalars(select(InboundMessage)).one()
    _login(client)
    answer = client.post(
        f"/pitches/inbox/{inbound.id}/attach", data={"prospect_id": str(first.prospect_id)}
    )
    assert answer.status_code == 302
    db.session.expire_all()
    inbound = db.session.get_one(InboundMessage, inbound.id)
    assert inbound.triage is InboundTriage.MATCHED and inbound.matched_by == "person"
    assert inbound.prospect_id == first.prospect_id
    assert db.session.get_one(Prospect, first.prospect_id).stage is Stage.REPLIED
    assert db.session.get_one(OutboundMessage, follow_up.id).status is MessageStatus.CANCELLED
    inbox_page = client.get("/pitches/inbox").get_data(as_text=True)
    assert "Nothing needs a look." in inbox_page
    latest = inbox_page[inbox_page.index("<h3>Received</h3>") :]
    assert "chief@blog.example" in latest and "by person" in latest
    page = client.get(f"/prospects/{first.prospect_id}").get_data(as_text=True)
    assert "Reply from chief@blog.example: RE: Hi Ada" in page


def test_attaching_by_domain_and_dismissing(
    app: object, client: FlaskClient, factory: Factory, smtp: SmtpServer, dovecot: Dovecot
) -> None:
    first, _ = _uncertain(factory, smtp, dovecot)
    dovecot.append(
        inbound_mail.outlook_reply(first, sender=COLLEAGUE, message_id="<second@blog.example>")
    )
    assert poll(db.session.get_one(Mailbox, first.mailbox_id))["needs_look"] == 1
    one, two = db.session.scalars(select(InboundMessage).order_by(InboundMessage.id)).all()
    _login(client)
    client.post(f"/pitches/inbox/{one.id}/dismiss")
    client.post(f"/pitches/inbox/{two.id}/attach", data={"domain": "Blog.Example"})
    db.session.expire_all()
    assert db.session.get_one(InboundMessage, one.id).triage is InboundTriage.DISMISSED
    assert db.session.get_one(InboundMessage, two.id).prospect_id == first.prospect_id
    assert db.session.get_one(Prospect, first.prospect_id).stage is Stage.REPLIED
    # a settled message cannot be attached again
    client.post(f"/pitches/inbox/{one.id}/attach", data={"prospect_id": str(first.prospect_id)})
    db.session.expire_all()
    assert db.session.get_one(InboundMessage, one.id).prospect_id is None


def test_another_workspace_cannot_see_or_attach_the_message(
    app: object, client: FlaskClient, factory: Factory, smtp: SmtpServer, dovecot: Dovecot
) -> None:
    first, _ = _uncertain(factory, smtp, dovecot)
    inbound = db.session.scalars(select(InboundMessage)).one()
    factory.user_with_workspace("other@example.com", "Other")
    _login(client, "other@example.com")
    assert "chief@blog.example" not in client.get("/pitches/inbox").get_data(as_text=True)
    answer = client.post(
        f"/pitches/inbox/{inbound.id}/attach", data={"prospect_id": str(first.prospect_id)}
    )
    assert answer.status_code == 404
    db.session.expire_all()
    assert db.session.get_one(InboundMessage, inbound.id).triage is InboundTriage.NEEDS_LOOK


def test_a_known_sender_writing_about_something_else_needs_a_look(
    app: object, factory: Factory, smtp: SmtpServer, dovecot: Dovecot
) -> None:
    first, follow_up = inbound_mail.sent_pitch(factory, smtp, dovecot)
    dovecot.append(
        (
            f"From: {inbound_mail.ADA}\r\nTo: sender@ours.example\r\nSubject: Question\r\n"
            "Message-ID: <q-1@blog.example>\r\n\r\nWho are you again?\r\n"
        ).encode()
    )
    assert poll(db.session.get_one(Mailbox, first.mailbox_id))["needs_look"] == 1
    db.session.expire_all()
    assert db.session.get_one(OutboundMessage, follow_up.id).status is MessageStatus.QUEUED
