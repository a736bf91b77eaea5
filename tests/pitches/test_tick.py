"""The outbox tick: due messages go out without anyone pressing a button."""

from __future__ import annotations

from flask import Flask
from redis import Redis
from rq.registry import ScheduledJobRegistry

from outreach.extensions import db
from outreach.jobs.tasks import get_queue
from outreach.jobs.worker import OutreachWorker
from outreach.pitches import sequences
from outreach.pitches.jobs import outbox_tick
from tests.factories import Factory
from tests.pitches import builders
from tests.support.smtp import SmtpServer


def _worker(app: Flask, redis_url: str) -> OutreachWorker:
    return OutreachWorker(
        [app.config["OUTREACH_QUEUE"]], connection=Redis.from_url(redis_url), app=app
    )


def test_starting_a_worker_schedules_the_outbox_tick_and_the_link_sweep(
    app: Flask, redis_url: str
) -> None:
    _worker(app, redis_url).work(burst=True)
    scheduled = ScheduledJobRegistry(queue=get_queue(app)).get_job_ids()
    assert any(job.startswith("outreach-outbox-tick-") for job in scheduled)
    assert any(job.startswith("outreach-links-sweep-") for job in scheduled)


def test_tick_sends_due_messages_once_and_schedules_the_next_tick(
    app: Flask, factory: Factory, smtp: SmtpServer, redis_url: str
) -> None:
    _, workspace = factory.user_with_workspace("owner@example.com", "Acme")
    campaign = builders.campaign_with_sequence(factory, workspace, steps=1)
    prospect, contact = builders.prospect(workspace, campaign)
    box = builders.mailbox(workspace, smtp.port)
    sequences.enroll(campaign, prospect, contact, box)
    db.session.commit()
    result = outbox_tick()
    assert result["due"] == 1 and result["send_jobs"] == 1
    assert outbox_tick(reschedule=False)["send_jobs"] == 0, "one send job per workspace at a time"
    _worker(app, redis_url).work(burst=True)
    assert len(smtp.recorder.message_ids()) == 1
    assert outbox_tick(reschedule=False)["due"] == 0
    scheduled = ScheduledJobRegistry(queue=get_queue(app)).get_job_ids()
    assert any(job.startswith("outreach-outbox-tick-") for job in scheduled)
