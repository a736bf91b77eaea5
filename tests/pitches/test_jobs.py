"""The recurring pitch jobs: the tick hands due mail to senders, the poll queues IMAP reads."""

from __future__ import annotations

from flask import Flask
from redis import Redis

from outreach.extensions import db
from outreach.jobs.queues import queue_names, round_robin
from outreach.jobs.tasks import Lane, get_queue
from outreach.jobs.worker import OutreachWorker
from outreach.pitches import jobs, sequences
from outreach.pitches.jobs import outbox_tick, poll_mailboxes
from tests.factories import Factory
from tests.pitches import builders
from tests.support.smtp import SmtpServer


def _worker(app: Flask, redis_url: str) -> OutreachWorker:
    return OutreachWorker(queue_names(app.config), connection=Redis.from_url(redis_url), app=app)


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
    assert poll_mailboxes() == {"mailboxes": 1, "poll_jobs": 1, "backing_off": 0}
    again = poll_mailboxes()
    assert again == {"mailboxes": 1, "poll_jobs": 0, "backing_off": 0}, "the first is queued"
    assert get_queue(app, Lane.MAIL).count == 1


def test_a_failing_mailbox_is_left_out_of_polls_for_longer_each_time(
    app: Flask, factory: Factory, smtp: SmtpServer
) -> None:
    _, workspace = factory.user_with_workspace("owner@example.com", "Acme")
    box = builders.mailbox(workspace, smtp.port, imap_host="127.0.0.1", imap_port=1)
    waits = [jobs.back_off(app, box.id) for _ in range(6)]
    assert waits[:3] == [jobs.FIRST_BACKOFF, 2 * jobs.FIRST_BACKOFF, 4 * jobs.FIRST_BACKOFF]
    assert waits[-1] == jobs.MAX_BACKOFF and waits == sorted(waits)
    assert poll_mailboxes() == {"mailboxes": 1, "poll_jobs": 0, "backing_off": 1}
    jobs.clear_backoff(app, box.id)  # as a poll that went through does
    assert poll_mailboxes()["poll_jobs"] == 1
    assert jobs.back_off(app, box.id) == jobs.FIRST_BACKOFF, "the count started again"


def test_polls_are_queued_taking_the_workspaces_in_turn(
    app: Flask, factory: Factory, smtp: SmtpServer
) -> None:
    boxes: dict[str, list[int]] = {}
    for name, count in (("Busy", 3), ("Calm", 1)):
        _, workspace = factory.user_with_workspace(f"{name.lower()}@example.com", name)
        boxes[name] = [
            builders.mailbox(
                workspace,
                smtp.port,
                from_email=f"b{n}@{name.lower()}.example",
                imap_host="127.0.0.1",
                imap_port=1,
            ).id
            for n in range(count)
        ]
    poll_mailboxes()
    queued = [job.args[0] for job in get_queue(app, Lane.MAIL).get_jobs()]
    assert queued == round_robin(boxes)
    assert queued[1] == boxes["Calm"][0], "the calm workspace's mailbox comes second, not last"
