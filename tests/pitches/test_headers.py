"""Header values as they reach a real SMTP server: line breaks, Re:, IDNA, SMTPUTF8, https links."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from outreach.extensions import db
from outreach.pitches import library, sandbox, sequences, suppression
from outreach.pitches.models import MessageStatus, OutboundMessage
from outreach.pitches.sending import deliver
from outreach.urls import ascii_email, unicode_email
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


@pytest.fixture
def utf8_smtp() -> Iterator[SmtpServer]:
    """An SMTP server that offers SMTPUTF8."""
    server = SmtpServer(utf8=True).start()
    yield server
    server.stop()


def test_line_break_in_a_merge_field_holds_that_message_and_the_batch_goes_on(
    app: Flask, factory: Factory, smtp: SmtpServer
) -> None:
    _, workspace = factory.user_with_workspace("owner@example.com", "Acme")
    campaign = builders.campaign_with_sequence(factory, workspace, steps=1)
    box = builders.mailbox(workspace, smtp.port)
    bad, bad_contact = builders.prospect(
        workspace, campaign, domain="a.example", first_name="Ada\r\nBcc: victim@else.example"
    )
    good, good_contact = builders.prospect(workspace, campaign, domain="b.example")
    held = sequences.enroll(campaign, bad, bad_contact, box)
    sent = sequences.enroll(campaign, good, good_contact, box)
    db.session.commit()
    (held_row,) = _rows(held.id)
    assert held_row.status is MessageStatus.HELD
    assert "line break" in (held_row.hold_reason or "")
    assert "contact.first_name" in (held_row.hold_reason or "")

    (queued,) = _rows(sent.id)
    late = OutboundMessage(  # a row queued before the check, with a lone CR in its subject
        workspace_id=workspace.id,
        prospect_id=bad.id,
        contact_id=bad_contact.id,
        mailbox_id=box.id,
        message_id="<late@ours.example>",
        subject="Hi\rBcc: victim@else.example",
        body="Hello",
    )
    db.session.add(late)
    db.session.commit()
    assert deliver([late.id, queued.id]) == {"held": 1, "sent": 1}
    db.session.expire_all()
    late_row = db.session.get_one(OutboundMessage, late.id)
    assert late_row.status is MessageStatus.HELD and "subject" in (late_row.hold_reason or "")
    assert (
        db.session.scalar(
            select(OutboundMessage.id).where(OutboundMessage.status == MessageStatus.SENDING)
        )
        is None
    )
    assert [r.rcpt_tos for r in smtp.recorder.received] == [["editor@b.example"]]
    assert b"victim" not in smtp.recorder.received[0].data


def test_line_break_in_the_from_name_holds_the_message(
    app: Flask, factory: Factory, smtp: SmtpServer
) -> None:
    _, workspace = factory.user_with_workspace("owner@example.com", "Acme")
    campaign = builders.campaign_with_sequence(factory, workspace, steps=1)
    box = builders.mailbox(workspace, smtp.port, from_name="Sam\nBcc: victim@else.example")
    prospect, contact = builders.prospect(workspace, campaign)
    enrollment = sequences.enroll(campaign, prospect, contact, box)
    db.session.commit()
    assert deliver([r.id for r in _rows(enrollment.id)]) == {"held": 1}
    (row,) = _rows(enrollment.id)
    assert "From name" in (row.hold_reason or "") and smtp.recorder.received == []


def test_template_check_refuses_a_lone_carriage_return_in_the_subject(app: Flask) -> None:
    assert not sandbox.check_pitch("Hi\rthere", "Body").ok
    assert not sandbox.check_pitch("Hi\nthere", "Body").ok
    assert sandbox.check_pitch("Hi there", "Body\r\nwith lines").ok


def test_follow_up_of_a_re_subject_is_not_re_re(
    app: Flask, factory: Factory, smtp: SmtpServer
) -> None:
    _, workspace = factory.user_with_workspace("owner@example.com", "Acme")
    campaign = factory.campaign(workspace, target_pages=["https://ours.example/guide"])
    first = library.create_template(workspace.id, "F", campaign.kind, "Re: hello", "Hi")
    later = library.create_template(workspace.id, "L", campaign.kind, "x", "Again")
    sequences.add_step(campaign, first, 0)
    sequences.add_step(campaign, later, 1)
    sequences.add_step(campaign, later, 1)
    prospect, contact = builders.prospect(workspace, campaign)
    enrollment = sequences.enroll(campaign, prospect, contact, builders.mailbox(workspace))
    db.session.commit()
    assert [r.subject for r in _rows(enrollment.id)] == ["Re: hello"] * 3
    assert sequences.reply_subject("RE: hello") == "RE: hello"
    assert sequences.reply_subject("Return policy") == "Re: Return policy"


def test_international_domain_is_sent_in_ascii_and_shown_in_unicode(
    app: Flask, client: FlaskClient, factory: Factory, smtp: SmtpServer
) -> None:
    _, workspace = factory.user_with_workspace("owner@example.com", "Acme")
    campaign = builders.campaign_with_sequence(factory, workspace, steps=1)
    box = builders.mailbox(workspace, smtp.port, from_email="sam@bücher.example")
    prospect, contact = builders.prospect(
        workspace, campaign, domain="müller.example", email="Editor@Müller.example"
    )
    enrollment = sequences.enroll(campaign, prospect, contact, box)
    db.session.commit()
    assert deliver([r.id for r in _rows(enrollment.id)]) == {"sent": 1}
    (received,) = smtp.recorder.received
    assert received.rcpt_tos == ["Editor@xn--mller-kva.example"]  # the local part's case kept
    assert received.mail_from == "sam@xn--bcher-kva.example"
    received.data.decode("ascii")  # no raw UTF-8 header reached the wire
    assert received.message["To"] == "Editor@xn--mller-kva.example"
    assert unicode_email("Editor@xn--mller-kva.example") == "Editor@müller.example"
    client.post("/login", data={"email": "owner@example.com", "password": Factory.PASSWORD})
    assert "sam@bücher.example" in client.get("/pitches/mailboxes").get_data(as_text=True)


def test_non_ascii_local_part_needs_smtputf8_from_the_server(
    app: Flask, factory: Factory, smtp: SmtpServer, utf8_smtp: SmtpServer
) -> None:
    _, workspace = factory.user_with_workspace("owner@example.com", "Acme")
    campaign = builders.campaign_with_sequence(factory, workspace, steps=1)
    ids = []
    for port, domain in ((smtp.port, "bücher.example"), (utf8_smtp.port, "b.example")):
        prospect, contact = builders.prospect(
            workspace, campaign, domain=domain, email=f"Zoë@{domain}"
        )
        enrollment = sequences.enroll(
            campaign, prospect, contact, builders.mailbox(workspace, port)
        )
        db.session.commit()
        ids += [r.id for r in _rows(enrollment.id)]
    assert deliver(ids) == {"held": 1, "sent": 1}
    held = db.session.get_one(OutboundMessage, ids[0])
    assert "SMTPUTF8" in (held.hold_reason or "") and smtp.recorder.received == []
    (received,) = utf8_smtp.recorder.received
    assert received.rcpt_tos == ["Zoë@b.example"]
    assert "Zoë@b.example" in received.data.decode("utf-8")


def test_suppression_matches_ascii_and_unicode_forms_of_a_domain(
    app: Flask, factory: Factory
) -> None:
    _, workspace = factory.user_with_workspace("owner@example.com", "Acme")
    suppression.suppress(workspace.id, "bücher.example")
    suppression.suppress(workspace.id, "Zoë@xn--mller-kva.example")
    db.session.commit()
    assert suppression.suppressed_by(workspace.id, "anna@xn--bcher-kva.example")
    assert suppression.suppressed_by(workspace.id, "anna@Bücher.example")
    assert suppression.suppressed_by(workspace.id, "zoë@müller.example")
    assert not suppression.suppressed_by(workspace.id, "anna@müller.example")
    assert ascii_email("Zoë@Bücher.example") == "Zoë@xn--bcher-kva.example"


def test_production_refuses_to_send_with_an_http_base_url_and_says_so(
    app: Flask, client: FlaskClient, factory: Factory, smtp: SmtpServer
) -> None:
    _, workspace = factory.user_with_workspace("owner@example.com", "Acme")
    campaign = builders.campaign_with_sequence(factory, workspace, steps=1)
    prospect, contact = builders.prospect(workspace, campaign)
    enrollment = sequences.enroll(
        campaign, prospect, contact, builders.mailbox(workspace, smtp.port)
    )
    db.session.commit()
    ids = [r.id for r in _rows(enrollment.id)]
    client.post("/login", data={"email": "owner@example.com", "password": Factory.PASSWORD})
    app.config["OUTREACH_BASE_URL"] = "http://outreach.example"
    app.testing = False
    try:
        assert deliver(ids) == {"unsubscribe_link_not_https": 1}
        page = client.get("/pitches/mailboxes").get_data(as_text=True)
        assert "one-click unsubscribe links must be https://" in page
        assert smtp.recorder.received == []
        app.config["OUTREACH_BASE_URL"] = "https://outreach.example"
        assert deliver(ids) == {"sent": 1}
        assert "must be https://" not in client.get("/pitches/mailboxes").get_data(as_text=True)
    finally:
        app.testing = True
    (received,) = smtp.recorder.received
    assert "<https://outreach.example/u/" in str(received.message["List-Unsubscribe"])
