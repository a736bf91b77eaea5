"""A worker SIGKILLed in the middle of a send batch or of a verification batch.

Each test starts a real ``flask worker``, waits until its job is visibly mid-way, kills the
worker and its work horse at once, starts a new worker and runs the recovery check. Every
job then ends finished, or failed with a reason; nothing is half-written, and no message is
sent twice (counted by Message-ID at the SMTP server).
"""

from __future__ import annotations

import pytest
from flask import Flask
from sqlalchemy import func, select

from outreach.extensions import db
from outreach.jobs import tasks
from outreach.jobs.models import Task, TaskStatus
from outreach.links import services as links
from outreach.links.jobs import verify_links
from outreach.links.models import LinkCheck, LinkStatus, PlacedLink
from outreach.pitches import jobs as pitch_jobs
from outreach.pitches import outbox, sequences
from outreach.pitches.models import MessageStatus, OutboundMessage
from tests.factories import Factory
from tests.faults.conftest import LaunchWorkers
from tests.faults.killing import ENDS, assert_ended, progress, recover, task_of
from tests.pitches import builders
from tests.support.simweb import SimWeb
from tests.support.smtp import SmtpServer

pytestmark = pytest.mark.faults


def test_a_send_batch_killed_mid_way_sends_nothing_twice_and_every_row_ends(
    app: Flask, factory: Factory, smtp: SmtpServer, launch_workers: LaunchWorkers
) -> None:
    _, workspace = factory.user_with_workspace("owner@example.com", "Acme")
    campaign = builders.campaign_with_sequence(factory, workspace, steps=1)
    box = builders.mailbox(workspace, smtp.port)
    for n in range(6):
        prospect, contact = builders.prospect(workspace, campaign, domain=f"site{n}.example")
        sequences.enroll(campaign, prospect, contact, box)
    db.session.commit()
    ids = outbox.due_ids(workspace.id)
    smtp.recorder.stall_at = 3
    assert pitch_jobs.dispatch(workspace.id) == 6
    db.session.commit()
    task_id = db.session.scalar(select(Task.id))
    assert task_id is not None
    workers = launch_workers()
    workers.start()
    assert smtp.recorder.stalled.wait(timeout=60), f"never reached message 3\n{workers.logs()}"
    workers.kill()

    workers.start("worker-2")
    app.config["OUTREACH_SEND_STALE_SECONDS"] = 0  # the claimer is known dead
    recover(app)
    pitch_jobs.outbox_tick()  # what the scheduler runs every minute
    db.session.commit()

    def settled() -> bool:
        db.session.rollback()
        statuses = db.session.scalars(
            select(OutboundMessage.status).where(OutboundMessage.id.in_(ids))
        ).all()
        return all(s in (MessageStatus.SENT, MessageStatus.NEEDS_REVIEW) for s in statuses)

    workers.wait(settled, ENDS, "every message sent or held for review")
    assert_ended(task_of(task_id))
    received = smtp.recorder.message_ids()
    assert len(received) == len(set(received)), "no message sent twice"
    rows = {r.id: r for r in db.session.scalars(select(OutboundMessage))}
    sent = {rows[i].message_id for i in ids if rows[i].status is MessageStatus.SENT}
    assert set(received) == sent, "every message the server has is recorded as sent"
    held = [i for i in ids if rows[i].status is MessageStatus.NEEDS_REVIEW]
    assert held == [ids[2]], "only the one in flight at the kill waits for a person"


def test_a_verification_batch_killed_mid_way_writes_no_check_and_ends(
    app: Flask,
    factory: Factory,
    launch_workers: LaunchWorkers,
    web: tuple[SimWeb, dict[str, float]],
) -> None:
    server, delays = web
    _, workspace = factory.user_with_workspace("o@example.com", "Acme")
    urls = [f"http://site{n}.example/post" for n in range(4)]
    ids = [links.create_link(workspace.id, url, "https://ours.example/guide").id for url in urls]
    task = tasks.launch(verify_links, ids, workspace_id=workspace.id, description="batch")
    db.session.commit()
    delays["site2.example"] = 60  # the third page hangs
    settings = {"OUTREACH_HTTP_PROXY": server.proxy_url, "OUTREACH_PER_HOST_DELAY": "0"}
    workers = launch_workers(**settings, OUTREACH_FETCH_TIMEOUT="120", OUTREACH_RENDER_JS="0")
    workers.start()
    workers.wait(lambda: len(server.paths()) >= len(urls), 60, "every page asked for")
    workers.wait(lambda: progress(str(app.config["REDIS_URL"]), task.id, "total"), 30, "job")
    workers.kill()

    assert db.session.scalar(select(func.count()).select_from(LinkCheck)) == 0, (
        "a batch records its checks together: nothing half-written"
    )
    delays["site2.example"] = 0.0
    workers.start("worker-2")
    recover(app)
    ended = (TaskStatus.FINISHED, TaskStatus.FAILED)
    workers.wait(lambda: task_of(task.id).status in ended, ENDS, "batch ended")
    assert_ended(task_of(task.id))
    checks = db.session.scalars(select(LinkCheck.placed_link_id)).all()
    assert len(checks) == len(set(checks)), "no link checked twice"
    if task_of(task.id).status is TaskStatus.FINISHED:
        assert sorted(checks) == sorted(ids)
        statuses = db.session.scalars(select(PlacedLink.status)).all()
        assert LinkStatus.PENDING not in statuses
