"""The recurring pitch jobs: the tick hands due mail to senders, the poll queues IMAP reads."""

from __future__ import annotations

from flask import Flask
from redis import Redis

from outreach.extensions import db
from outreach.jobs.tasks import get_queue
from outreach.jobs.worker import OutreachWorker
from outreach.pitches import sequences
from outreach.pitches.jobs import outbox_tick, poll_mailboxes
from tests.factories import Factory
from tests.pitches import builders
from tests.support.smtp import SmtpServer


def _worker(app: Flask, redis_url: str) -> OutreachWorker:
    return OutreachWorker(
        [app.config["OUTREACH_QUEUE"]], connection=Redis.from_url(redis_url), app=app
    )


def test_tick_sends_due_messages_once_through_one_sender_per_workspace(
    app: Flask, factory: Factory, smtp: SmtpServer, redis_url: str
) -> None:
    _, workspace = factory.user_with_workspace("owner@example.com", "Acme")
    campaign = builders.campaign_with_sequence(factory, workspace, steps=1)
    prospect, contact = builders.prospect(workspace, campaign)
    box = builders.mailbox(workspace, smtp.port)
    sequences.enroll(campaign, prospect, contact, box)
    db.session.commit()
    assert outbox_tick() == {"due": 1, "send_jobs": 1}
    assert outbox_tick()["send_jobs"] == 0, "one send job per workspace at a time"
    _worker(app, redis_url).work(burst=True)
    assert len(smtp.recorder.message_ids()) == 1
    assert outbox_tick()["due"] == 0


def test_mailbox_poll_queues_one_poll_job_per_imap_mailbox(
    app: Flask, factory: Factory, smtp: SmtpServer
) -> None:
    _, workspace = factory.user_with_workspace("owner@example.com", "Acme")
    builders.mailbox(workspace, smtp.port, imap_host="127.0.0.1", imap_port=1)
    builders.mailbox(workspace, smtp.port, from_email="smtp-only@ours.example")
    assert poll_mailboxes() == {"mailboxes": 1, "poll_jobs": 1}
    assert poll_mailboxes() == {"mailboxes": 1, "poll_jobs": 0}, "the first poll is still queued"
    assert get_queue(app).count == 1
