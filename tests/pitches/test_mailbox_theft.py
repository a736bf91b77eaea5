"""A mailbox's password goes only where its user sent it, and only its user sends from it
unless they share it."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from outreach.accounts import services as accounts
from outreach.accounts.models import Membership, Role, User, Workspace
from outreach.extensions import db
from outreach.pitches import sequences
from outreach.pitches.mailboxes import decrypt_password
from outreach.pitches.models import (
    Mailbox,
    MessageStatus,
    OutboundMessage,
    SequenceEnrollment,
    SmtpSecurity,
)
from outreach.pitches.sending import deliver
from tests.factories import Factory
from tests.pitches import builders
from tests.support.scripted import ScriptedServer
from tests.support.smtp import SmtpServer

SECRET = "member-mailbox-secret"


def _member(workspace: Workspace, email: str = "member@example.com") -> User:
    member = accounts.create_user(email, Factory.PASSWORD)
    db.session.add(Membership(workspace_id=workspace.id, user_id=member.id, role=Role.MEMBER))
    db.session.commit()
    return member


def _members_mailbox(factory: Factory) -> tuple[Workspace, User, Mailbox]:
    _, workspace = factory.user_with_workspace("owner@example.com", "Acme")
    member = _member(workspace)
    box = builders.mailbox(
        workspace,
        587,
        user_id=member.id,
        smtp_host="smtp.member.example",
        smtp_security=SmtpSecurity.STARTTLS,
        smtp_username="member@ours.example",
        password=SECRET,
        imap_host="imap.member.example",
        imap_port=993,
    )
    return workspace, member, box


def _form(box: Mailbox, **change: str) -> dict[str, str]:
    """The mailbox form as its page shows it (password left empty), with changes."""
    values = {
        "from_name": box.from_name,
        "from_email": box.from_email,
        "smtp_host": box.smtp_host,
        "smtp_port": str(box.smtp_port),
        "smtp_security": box.smtp_security.value,
        "smtp_username": box.smtp_username,
        "password": "",
        "imap_host": box.imap_host,
        "imap_port": str(box.imap_port),
        "daily_cap": str(box.daily_cap),
        "min_gap_seconds": "0",
        "jitter_seconds": "0",
        "timezone": "UTC",
        "sending_start_hour": "0",
        "sending_end_hour": "0",
    }
    if box.imap_tls:
        values["imap_tls"] = "y"
    return {**values, **change}


def _stored_password(box_id: int) -> str:
    db.session.expire_all()
    return db.session.get_one(Mailbox, box_id).smtp_password_encrypted


def _login(client: FlaskClient, email: str) -> None:
    response = client.post("/login", data={"email": email, "password": Factory.PASSWORD})
    assert response.status_code == 302


@pytest.mark.parametrize(
    "change",
    [
        {"smtp_host": "smtp.attacker.example"},
        {"smtp_port": "465"},
        {"smtp_security": "tls"},
        {"smtp_username": "owner@attacker.example"},
        {"imap_host": "imap.attacker.example"},
        {"imap_port": "143"},
    ],
)
def test_an_owner_who_moves_a_members_mailbox_clears_its_password(
    client: FlaskClient, factory: Factory, change: dict[str, str]
) -> None:
    _, _, box = _members_mailbox(factory)
    _login(client, "owner@example.com")
    response = client.post(f"/pitches/mailboxes/{box.id}", data=_form(box, **change))
    assert response.status_code == 302
    assert _stored_password(box.id) == ""
    page = client.get("/pitches/mailboxes").get_data(as_text=True)
    assert "saved password was cleared" in page


def test_the_mailboxs_own_user_moving_it_must_enter_the_password_again(
    client: FlaskClient, factory: Factory
) -> None:
    _, _, box = _members_mailbox(factory)
    _login(client, "member@example.com")
    client.post(f"/pitches/mailboxes/{box.id}", data=_form(box, smtp_host="smtp.new.example"))
    assert _stored_password(box.id) == ""
    client.post(
        f"/pitches/mailboxes/{box.id}",
        data=_form(box, smtp_host="smtp.new.example", password="new-secret"),
    )
    db.session.expire_all()
    assert decrypt_password(db.session.get_one(Mailbox, box.id)) == "new-secret"


def test_changing_only_limits_keeps_the_password(client: FlaskClient, factory: Factory) -> None:
    _, _, box = _members_mailbox(factory)
    before = box.smtp_password_encrypted
    _login(client, "owner@example.com")
    response = client.post(f"/pitches/mailboxes/{box.id}", data=_form(box, daily_cap="25"))
    assert response.status_code == 302
    assert _stored_password(box.id) == before


def test_the_moved_mailbox_sends_no_password_to_the_new_server(
    app: Flask, client: FlaskClient, factory: Factory
) -> None:
    workspace, _, box = _members_mailbox(factory)
    campaign = builders.campaign_with_sequence(factory, workspace, steps=1)
    prospect, contact = builders.prospect(workspace, campaign)
    enrollment = sequences.enroll(campaign, prospect, contact, box)
    db.session.commit()
    row = db.session.scalars(
        select(OutboundMessage).where(OutboundMessage.enrollment_id == enrollment.id)
    ).one()
    with ScriptedServer(b"220 attacker ESMTP\r\n") as attacker:  # allowed by LOCAL_MAIL
        _login(client, "owner@example.com")
        change = {"smtp_host": "127.0.0.1", "smtp_port": str(attacker.port)}
        assert client.post(f"/pitches/mailboxes/{box.id}", data=_form(box, **change)).status_code
        assert deliver([row.id]) == {"deferred": 1}
    assert attacker.connections == 0 and SECRET.encode() not in attacker.received
    db.session.expire_all()
    assert "the mailbox has no password" in (
        db.session.get_one(OutboundMessage, row.id).error or ""
    )


def _campaign_with_prospect(factory: Factory, workspace: Workspace) -> tuple[int, int]:
    campaign = builders.campaign_with_sequence(factory, workspace, steps=1)
    prospect, _ = builders.prospect(workspace, campaign)
    return campaign.id, prospect.id


def _enrolments() -> list[int | None]:
    db.session.expire_all()
    return list(db.session.scalars(select(SequenceEnrollment.mailbox_id)))


def test_a_member_cannot_send_from_someone_elses_unshared_mailbox(
    client: FlaskClient, factory: Factory
) -> None:
    _, workspace = factory.user_with_workspace("owner@example.com", "Acme")
    owners = builders.mailbox(workspace, 587, from_email="owner@ours.example")
    _member(workspace)
    campaign_id, _ = _campaign_with_prospect(factory, workspace)
    _login(client, "member@example.com")
    page = client.get(f"/campaigns/{campaign_id}/sequence").get_data(as_text=True)
    assert "owner@ours.example" not in page
    choice = {"count": "5", "mailbox_id": str(owners.id)}
    client.post(f"/campaigns/{campaign_id}/sequence/enroll", data=choice)
    assert _enrolments() == []

    owners.shared = True  # the owner shares it: now the member may use it
    db.session.commit()
    assert "owner@ours.example" in client.get(f"/campaigns/{campaign_id}/sequence").get_data(
        as_text=True
    )
    client.post(f"/campaigns/{campaign_id}/sequence/enroll", data=choice)
    assert _enrolments() == [owners.id]


def test_the_service_refuses_an_unshared_mailbox_of_another_user(factory: Factory) -> None:
    _, workspace = factory.user_with_workspace("owner@example.com", "Acme")
    owners = builders.mailbox(workspace, 587)
    member = _member(workspace)
    campaign = builders.campaign_with_sequence(factory, workspace, steps=1)
    prospect, contact = builders.prospect(workspace, campaign)
    with pytest.raises(sequences.SequenceError, match="not yours"):
        sequences.enroll(campaign, prospect, contact, owners, member.id)


def test_only_the_mailboxs_user_can_share_it(client: FlaskClient, factory: Factory) -> None:
    _, _, box = _members_mailbox(factory)
    _login(client, "owner@example.com")
    page = client.get(f"/pitches/mailboxes/{box.id}").get_data(as_text=True)
    assert 'name="shared"' not in page
    client.post(f"/pitches/mailboxes/{box.id}", data=_form(box, shared="y"))
    db.session.expire_all()
    assert db.session.get_one(Mailbox, box.id).shared is False
    client.post("/logout")
    _login(client, "member@example.com")
    client.post(f"/pitches/mailboxes/{box.id}", data=_form(box, shared="y"))
    db.session.expire_all()
    assert db.session.get_one(Mailbox, box.id).shared is True


def test_unsharing_holds_what_others_queued_through_the_mailbox(
    factory: Factory, smtp: SmtpServer
) -> None:
    _, workspace = factory.user_with_workspace("owner@example.com", "Acme")
    owners = builders.mailbox(workspace, smtp.port, shared=True)
    member = _member(workspace)
    campaign = builders.campaign_with_sequence(factory, workspace, steps=1)
    prospect, contact = builders.prospect(workspace, campaign)
    enrollment = sequences.enroll(campaign, prospect, contact, owners, member.id)
    owners.shared = False
    db.session.commit()
    row = db.session.scalars(
        select(OutboundMessage).where(OutboundMessage.enrollment_id == enrollment.id)
    ).one()
    assert deliver([row.id]) == {"held": 1}
    db.session.expire_all()
    held = db.session.get_one(OutboundMessage, row.id)
    assert held.status is MessageStatus.HELD and "no longer shared" in (held.hold_reason or "")
    assert smtp.recorder.received == []
