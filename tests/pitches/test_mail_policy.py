"""Mailboxes are no way inside: sending, polling and the mailbox form obey the mail policy.

The app fixture lets the local test servers through (``LOCAL_MAIL``); the ``strict`` fixture
puts the production defaults back, so each attack here meets the policy as it ships.
"""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from outreach.accounts.models import Workspace
from outreach.extensions import db
from outreach.pitches import jobs, sequences
from outreach.pitches.models import Mailbox, MessageStatus, OutboundMessage, SmtpSecurity
from outreach.pitches.sending import deliver
from tests.factories import Factory
from tests.pitches import builders
from tests.support.imap import Dovecot
from tests.support.scripted import ScriptedServer
from tests.support.smtp import SmtpServer

SSH_BANNER = b"SSH-2.0-OpenSSH_9.2p1 internal-build-7731\r\n"


@pytest.fixture
def strict(app: Flask) -> Flask:
    """The app with the mail policy's production defaults."""
    app.config.update(
        OUTREACH_MAIL_ALLOWED_NETWORKS=(),
        OUTREACH_MAIL_ALLOWED_PORTS=(),
        OUTREACH_MAIL_ALLOW_PLAINTEXT=False,
    )
    return app


def _queued_pitch(factory: Factory, port: int, **mailbox: object) -> tuple[Workspace, int]:
    _, workspace = factory.user_with_workspace("owner@example.com", "Acme")
    campaign = builders.campaign_with_sequence(factory, workspace, steps=1)
    prospect, contact = builders.prospect(workspace, campaign)
    box = builders.mailbox(workspace, port, **mailbox)
    enrollment = sequences.enroll(campaign, prospect, contact, box)
    db.session.commit()
    row = db.session.scalars(
        select(OutboundMessage).where(OutboundMessage.enrollment_id == enrollment.id)
    ).one()
    return workspace, row.id


def _row(message_id: int) -> OutboundMessage:
    return db.session.scalars(
        select(OutboundMessage)
        .where(OutboundMessage.id == message_id)
        .execution_options(populate_existing=True)
    ).one()


def test_a_mailbox_pointed_at_an_internal_service_never_connects(
    strict: Flask, factory: Factory
) -> None:
    with ScriptedServer(SSH_BANNER) as server:
        strict.config["OUTREACH_MAIL_ALLOWED_PORTS"] = f"{server.port}"  # the address decides
        _, message_id = _queued_pitch(
            factory,
            server.port,
            smtp_security=SmtpSecurity.STARTTLS,
            smtp_username="me",
            password="secret",
        )
        assert deliver([message_id]) == {"deferred": 1}
    row = _row(message_id)
    assert row.status is MessageStatus.QUEUED
    assert row.error == "connection failed: refused: 127.0.0.1 is a loopback address"
    assert server.connections == 0


def test_the_outbox_never_shows_an_internal_services_banner(
    strict: Flask, factory: Factory, client: FlaskClient
) -> None:
    with ScriptedServer(SSH_BANNER) as server:
        # The operator allowed the network and the port: the connection is made, and fails.
        strict.config.update(
            OUTREACH_MAIL_ALLOWED_NETWORKS="127.0.0.0/8",
            OUTREACH_MAIL_ALLOWED_PORTS=f"{server.port}",
        )
        _, message_id = _queued_pitch(factory, server.port, smtp_security=SmtpSecurity.TLS)
        assert deliver([message_id]) == {"deferred": 1}
    assert server.connections == 1
    error = _row(message_id).error or ""
    assert error.startswith("connection failed: TLS with 127.0.0.1:")
    client.post("/login", data={"email": "owner@example.com", "password": Factory.PASSWORD})
    page = client.get("/pitches/outbox").get_data(as_text=True)
    assert "connection failed" in page
    assert "SSH-2.0" not in page and "internal-build" not in page


def test_the_imap_poll_refuses_an_internal_host_without_connecting(
    strict: Flask, factory: Factory, client: FlaskClient
) -> None:
    with ScriptedServer(SSH_BANNER) as server:
        strict.config["OUTREACH_MAIL_ALLOWED_PORTS"] = f"{server.port}"
        _, workspace = factory.user_with_workspace("owner@example.com", "Acme")
        box = builders.mailbox(
            workspace,
            587,
            smtp_host="smtp.example.com",
            smtp_security=SmtpSecurity.STARTTLS,
            imap_host="127.0.0.1",
            imap_port=server.port,
            smtp_username="me",
            password="secret",
        )
        assert jobs.poll_mailbox_job(box.id) == {"refused": 1}
    assert server.connections == 0
    db.session.expire_all()
    reason = "refused: 127.0.0.1 is a loopback address"
    assert db.session.get_one(Mailbox, box.id).poll_error == reason
    client.post("/login", data={"email": "owner@example.com", "password": Factory.PASSWORD})
    assert reason in client.get("/pitches/mailboxes").get_data(as_text=True)


def test_the_imap_poll_shows_no_banner_of_an_allowed_internal_service(
    strict: Flask, factory: Factory, client: FlaskClient
) -> None:
    with ScriptedServer(SSH_BANNER) as server:
        strict.config.update(
            OUTREACH_MAIL_ALLOWED_NETWORKS="127.0.0.0/8",
            OUTREACH_MAIL_ALLOWED_PORTS=f"{server.port}",
        )
        _, workspace = factory.user_with_workspace("owner@example.com", "Acme")
        box = builders.mailbox(
            workspace,
            587,
            smtp_host="smtp.example.com",
            smtp_security=SmtpSecurity.STARTTLS,
            imap_host="127.0.0.1",
            imap_port=server.port,
            imap_tls=False,
            smtp_username="me",
            password="secret",
        )
        assert jobs.poll_mailbox_job(box.id) == {"refused": 1}
    assert server.connections == 1 and b"secret" not in server.received
    client.post("/login", data={"email": "owner@example.com", "password": Factory.PASSWORD})
    page = client.get("/pitches/mailboxes").get_data(as_text=True)
    assert f"127.0.0.1:{server.port} did not answer as an IMAP server should" in page
    assert "SSH-2.0" not in page and "internal-build" not in page


def test_sending_without_tls_is_refused_by_default(
    strict: Flask, factory: Factory, smtp: SmtpServer
) -> None:
    strict.config.update(
        OUTREACH_MAIL_ALLOWED_NETWORKS="127.0.0.0/8", OUTREACH_MAIL_ALLOWED_PORTS=f"{smtp.port}"
    )
    _, message_id = _queued_pitch(factory, smtp.port, smtp_security=SmtpSecurity.NONE)
    assert deliver([message_id]) == {"deferred": 1}
    assert "without TLS is not allowed" in (_row(message_id).error or "")
    assert smtp.recorder.received == []


FORM = {
    "from_name": "Sam",
    "from_email": "sam@ours.example",
    "smtp_host": "smtp.example.com",
    "smtp_port": "587",
    "smtp_security": "starttls",
    "smtp_username": "sam@ours.example",
    "password": "secret",
    "imap_host": "",
    "imap_port": "993",
    "daily_cap": "10",
    "min_gap_seconds": "0",
    "jitter_seconds": "0",
    "timezone": "UTC",
    "sending_start_hour": "0",
    "sending_end_hour": "0",
}


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"smtp_host": "127.0.0.1", "smtp_port": "22"}, "SMTP server refused: port 22 is not"),
        ({"smtp_host": "169.254.169.254"}, "SMTP server refused: 169.254.169.254 is a cloud-"),
        ({"imap_host": "10.0.0.8"}, "IMAP server refused: 10.0.0.8 is a private address"),
        ({"imap_host": "imap.example.com", "imap_port": "6379"}, "port 6379 is not a mail port"),
        ({"smtp_security": "none"}, "SMTP without TLS is not allowed"),
    ],
)
def test_the_mailbox_form_refuses_what_the_policy_would_refuse(
    strict: Flask, client: FlaskClient, factory: Factory, change: dict[str, str], reason: str
) -> None:
    factory.user_with_workspace("owner@example.com", "Acme")
    client.post("/login", data={"email": "owner@example.com", "password": Factory.PASSWORD})
    response = client.post("/pitches/mailboxes/new", data={**FORM, **change})
    assert response.status_code == 200
    assert reason in response.get_data(as_text=True)
    assert db.session.scalars(select(Mailbox)).all() == []
    ok = client.post("/pitches/mailboxes/new", data=FORM)
    assert ok.status_code == 302


def test_a_poll_that_works_again_clears_the_reason(
    app: Flask, factory: Factory, dovecot: Dovecot
) -> None:
    _, workspace = factory.user_with_workspace("owner@example.com", "Acme")
    box = builders.mailbox(
        workspace,
        587,
        imap_host="127.0.0.1",
        imap_port=dovecot.port,
        imap_tls=False,
        smtp_username=Dovecot.USER,
        password=Dovecot.PASSWORD,
        poll_error="refused: 127.0.0.1 is a loopback address",
    )
    assert jobs.poll_mailbox_job(box.id) == {"replies": 0, "bounces": 0, "unmatched": 0}
    db.session.expire_all()
    assert db.session.get_one(Mailbox, box.id).poll_error is None
