"""Mailbox pages: a mailbox belongs to its user."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient

from outreach.accounts import services as accounts
from outreach.accounts.models import Membership, Role
from outreach.extensions import db
from outreach.pitches import jobs
from outreach.pitches.models import Mailbox
from tests.factories import Factory
from tests.pitches import builders

FORM = {
    "from_name": "Mallory",
    "from_email": "mallory@evil.example",
    "smtp_host": "evil.example",
    "smtp_port": "25",
    "smtp_security": "none",
    "daily_cap": "10",
    "min_gap_seconds": "0",
    "jitter_seconds": "0",
    "timezone": "UTC",
    "sending_start_hour": "0",
    "sending_end_hour": "0",
}


def test_a_member_cannot_change_a_teammates_mailbox(client: FlaskClient, factory: Factory) -> None:
    _, workspace = factory.user_with_workspace("owner@example.com", "Acme")
    box = builders.mailbox(workspace)  # the owner's
    member = accounts.create_user("member@example.com", Factory.PASSWORD)
    db.session.add(Membership(workspace_id=workspace.id, user_id=member.id, role=Role.MEMBER))
    db.session.commit()
    client.post("/login", data={"email": "member@example.com", "password": Factory.PASSWORD})
    assert client.get(f"/pitches/mailboxes/{box.id}").status_code == 200
    assert client.post(f"/pitches/mailboxes/{box.id}", data=FORM).status_code == 403
    db.session.expire_all()
    assert db.session.get_one(Mailbox, box.id).smtp_host == "127.0.0.1"


def test_the_mailbox_user_can_change_it(client: FlaskClient, factory: Factory) -> None:
    _, workspace = factory.user_with_workspace("owner@example.com", "Acme")
    box = builders.mailbox(workspace)
    client.post("/login", data={"email": "owner@example.com", "password": Factory.PASSWORD})
    assert client.post(f"/pitches/mailboxes/{box.id}", data=FORM).status_code == 302
    db.session.expire_all()
    assert db.session.get_one(Mailbox, box.id).smtp_host == "evil.example"


def test_saving_a_mailbox_ends_its_poll_backoff(
    app: Flask, client: FlaskClient, factory: Factory
) -> None:
    _, workspace = factory.user_with_workspace("owner@example.com", "Acme")
    box = builders.mailbox(workspace, imap_host="127.0.0.1", imap_port=1143)
    jobs.back_off(app, box.id)  # its last poll failed
    assert jobs.poll_mailboxes()["backing_off"] == 1
    client.post("/login", data={"email": "owner@example.com", "password": Factory.PASSWORD})
    assert client.post(f"/pitches/mailboxes/{box.id}", data=FORM).status_code == 302
    assert jobs.poll_mailboxes()["backing_off"] == 0, "the corrected mailbox is polled at once"
