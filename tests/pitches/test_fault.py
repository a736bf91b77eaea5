"""A worker killed in the middle of a batch: nothing is sent twice, nothing is lost."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

from flask import Flask
from sqlalchemy import select

from outreach.extensions import db
from outreach.pitches import jobs, outbox, sequences
from outreach.pitches.models import MessageStatus, OutboundMessage
from outreach.pitches.sending import deliver
from tests.factories import Factory
from tests.pitches import builders
from tests.support.smtp import LOCAL_MAIL, SmtpServer
from tests.support.workers import descendants

ROOT = Path(__file__).resolve().parents[2]


def _statuses(ids: list[int]) -> list[MessageStatus]:
    rows = db.session.scalars(
        select(OutboundMessage.status)
        .where(OutboundMessage.id.in_(ids))
        .order_by(OutboundMessage.id)
        .execution_options(populate_existing=True)
    )
    return list(rows)


def test_worker_killed_mid_batch_sends_nothing_twice_and_loses_nothing(
    app: Flask, factory: Factory, smtp: SmtpServer, tmp_path: Path
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
    assert jobs.dispatch(workspace.id) == 6
    db.session.commit()  # the job is enqueued after this commit

    env = {
        **os.environ,
        "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
        "REDIS_URL": app.config["REDIS_URL"],
        "OUTREACH_QUEUE": app.config["OUTREACH_QUEUE"],
        "SECRET_KEY": app.config["SECRET_KEY"],
        "OUTREACH_BASE_URL": "https://localhost",  # a production worker: https only
        "OUTREACH_INSTANCE_PATH": str(tmp_path / "worker"),
        **LOCAL_MAIL,
    }
    command = [sys.executable, "-m", "flask", "--app", "outreach", "worker", "--burst"]
    worker = subprocess.Popen(
        [*command, "--without-scheduler"],
        env=env,
        cwd=ROOT,
        start_new_session=True,  # its own process group: the work horse dies with it
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        assert smtp.recorder.stalled.wait(timeout=30), "the worker never reached message 3"
    finally:
        # The work horse is in a process group of its own (RQ's setpgrp): kill it by id too,
        # or it would carry on sending once the stalled server lets go.
        for pid in [worker.pid, *descendants(worker.pid)]:
            os.kill(pid, signal.SIGKILL)
        worker.wait(timeout=10)

    S = MessageStatus
    assert _statuses(ids) == [S.SENT, S.SENT, S.SENDING, S.QUEUED, S.QUEUED, S.QUEUED]
    app.config["OUTREACH_SEND_STALE_SECONDS"] = 0  # the claimer is known dead: no need to wait
    deliver(ids)
    assert _statuses(ids) == [S.SENT, S.SENT, S.NEEDS_REVIEW, S.SENT, S.SENT, S.SENT]
    received = smtp.recorder.message_ids()
    assert len(received) == len(set(received)) == 5
    rows = {r.id: r.message_id for r in db.session.scalars(select(OutboundMessage))}
    assert set(received) == {rows[i] for i in ids} - {rows[ids[2]]}
