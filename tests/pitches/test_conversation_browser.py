"""The inbox and a prospect's conversation in a real browser, with a reply from Dovecot."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from outreach.extensions import db
from outreach.pitches import sequences
from outreach.pitches.imap import poll
from outreach.pitches.models import Mailbox, OutboundMessage
from outreach.pitches.sending import deliver
from tests.factories import Factory
from tests.pitches import builders
from tests.support.imap import Dovecot
from tests.support.smtp import SmtpServer

pytestmark = pytest.mark.browser


def test_a_reply_from_the_imap_server_shows_in_the_inbox_and_is_answered_in_thread(
    page: Any, factory: Factory, smtp: SmtpServer, dovecot: Dovecot
) -> None:
    _, workspace = factory.user_with_workspace("owner@example.com", "Acme")
    campaign = builders.campaign_with_sequence(factory, workspace, steps=2)
    prospect, contact = builders.prospect(workspace, campaign)
    box = builders.mailbox(
        workspace,
        smtp.port,
        imap_host="127.0.0.1",
        imap_port=dovecot.port,
        imap_tls=False,
        password=Dovecot.PASSWORD,
    )
    enrollment = sequences.enroll(campaign, prospect, contact, box)
    db.session.commit()
    first = db.session.scalars(
        select(OutboundMessage)
        .where(OutboundMessage.enrollment_id == enrollment.id)
        .order_by(OutboundMessage.id)
    ).first()
    assert first is not None and deliver([first.id]) == {"sent": 1}
    dovecot.append(
        (
            f"From: Ada <editor@blog.example>\r\nTo: sender@ours.example\r\n"
            f"Subject: Re: {first.subject}\r\nMessage-ID: <reply-1@blog.example>\r\n"
            f"In-Reply-To: {first.message_id}\r\nReferences: {first.message_id}\r\n\r\n"
            "Sounds good, send it over.\r\n"
        ).encode()
    )
    box.smtp_username = Dovecot.USER
    db.session.commit()
    assert poll(db.session.get_one(Mailbox, box.id))["replies"] == 1
    box.smtp_username = ""  # the plain test SMTP server has no AUTH
    db.session.commit()

    page.goto("/login")
    page.get_by_label("E-mail").fill("owner@example.com")
    page.get_by_label("Password").fill(Factory.PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.goto("/pitches/inbox")
    reply_link = page.get_by_role("link", name=f"Re: {first.subject} new")
    expect(reply_link).to_be_visible()
    reply_link.click()
    conversation = page.locator("ol.thread")
    expect(conversation.locator(".thread-message.incoming")).to_contain_text(
        "Sounds good, send it over."
    )
    expect(conversation.locator(f"#out-{first.id} .badge")).to_have_text("replied")
    page.get_by_label("Answer editor@blog.example").fill("Wonderful, here it is.")
    page.get_by_role("button", name="Send answer").click()
    expect(page.get_by_text("Your answer to editor@blog.example is on its way")).to_be_visible()
    page.goto("/pitches/inbox")
    expect(page.get_by_role("link", name=f"Re: {first.subject}", exact=True)).to_be_visible()

    answer = db.session.scalars(
        select(OutboundMessage).where(OutboundMessage.step_id.is_(None))
    ).one()
    assert deliver([answer.id]) == {"sent": 1}
    sent = smtp.recorder.received[-1].message
    assert sent["In-Reply-To"] == "<reply-1@blog.example>"
    assert "Wonderful, here it is." in sent.get_content()
