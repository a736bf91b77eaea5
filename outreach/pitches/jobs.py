"""Pitch jobs: sending outbox rows, polling a mailbox, and the recurring work RQ's cron scheduler
runs (the outbox tick sends what is due, the mailbox poll reads replies, both every minute).

Neither recurring job schedules anything itself: ``rq cron`` enqueues every run (see
``outreach.jobs.recurring``), so a failing run never stops the next one. All of it runs on
the mail queue (``Lane.MAIL``), in short jobs: one poll per mailbox, one send slice per
workspace (``OUTREACH_SLICE_SECONDS``), each connection step bounded by
``OUTREACH_MAIL_TIMEOUT``, queued round-robin between workspaces. A mailbox whose server
failed is left out of the next polls for a while (doubling, up to :data:`MAX_BACKOFF`).
"""

from __future__ import annotations

import contextlib

from flask import Flask
from rq.exceptions import DuplicateJobError
from sqlalchemy import select

from outreach.config import Settings
from outreach.extensions import db
from outreach.jobs.connection import get_redis
from outreach.jobs.context import job_context
from outreach.jobs.queues import Lane, get_queue, round_robin
from outreach.jobs.recurring import recurring
from outreach.jobs.tasks import launch
from outreach.net.mail import MailRefused
from outreach.pitches.imap import poll
from outreach.pitches.models import Mailbox, OutboundMessage
from outreach.pitches.outbox import BATCH_SIZE, due_ids, recover_stalled
from outreach.pitches.sending import deliver

SEND_JOB_TIMEOUT = 600  # a slice, plus the conversation of its last row
POLL_JOB_TIMEOUT = 300  # a poll reads at most imap.MAX_MESSAGES_PER_POLL messages
FIRST_BACKOFF = 60  # seconds a failed mailbox is left out of polls, doubled on each failure
MAX_BACKOFF = 900
BACKOFF_PREFIX = "outreach:poll-backoff"


def send_messages(message_ids: list[int]) -> dict[str, int]:
    """RQ job: send a batch of outbox rows by id; running it twice sends nothing twice."""
    with job_context() as app:
        return deliver(message_ids, budget=Settings.from_config(app.config).slice_seconds)


def poll_mailbox_job(mailbox_id: int) -> dict[str, int]:
    """RQ job: read new mail of one mailbox and record replies and bounces.

    A refused or failed connection (a server that never greets times out after
    ``OUTREACH_MAIL_TIMEOUT``) is kept on the mailbox as a plain reason (shown on the
    mailboxes page) rather than failing the job every minute, and backs the mailbox off.
    """
    with job_context() as app:
        mailbox = db.session.get(Mailbox, mailbox_id)
        if mailbox is None or not mailbox.imap_host:
            return {}
        try:
            counts = poll(mailbox)
        except MailRefused as exc:
            db.session.rollback()
            mailbox.poll_error = str(exc)[:300]
            db.session.commit()
            back_off(app, mailbox_id)
            return {"refused": 1}
        clear_backoff(app, mailbox_id)
        if mailbox.poll_error is not None:
            mailbox.poll_error = None
            db.session.commit()
        return counts


def back_off(app: Flask, mailbox_id: int) -> int:
    """Leave a mailbox out of polls for a while after a failure; returns the seconds."""
    redis = get_redis(app)
    failures = int(redis.incr(f"{BACKOFF_PREFIX}:{mailbox_id}:failures"))
    redis.expire(f"{BACKOFF_PREFIX}:{mailbox_id}:failures", 86400)
    seconds = min(FIRST_BACKOFF << min(failures - 1, 16), MAX_BACKOFF)
    redis.set(f"{BACKOFF_PREFIX}:{mailbox_id}", failures, ex=seconds)
    return seconds


def clear_backoff(app: Flask, mailbox_id: int) -> None:
    """A poll went through: the mailbox is polled on every tick again."""
    get_redis(app).delete(
        f"{BACKOFF_PREFIX}:{mailbox_id}", f"{BACKOFF_PREFIX}:{mailbox_id}:failures"
    )


def _backing_off(app: Flask, mailbox_ids: list[int]) -> set[int]:
    if not mailbox_ids:
        return set()
    flags = get_redis(app).mget([f"{BACKOFF_PREFIX}:{mid}" for mid in mailbox_ids])
    return {mid for mid, flag in zip(mailbox_ids, flags, strict=True) if flag is not None}


def dispatch(workspace_id: int, user_id: int | None = None) -> int:
    """Launch send jobs for the workspace's due rows, many per job; returns rows handed out.

    Callers commit (the jobs are enqueued once the transaction is committed).
    """
    ids = due_ids(workspace_id)
    for start in range(0, len(ids), BATCH_SIZE):
        batch = ids[start : start + BATCH_SIZE]
        launch(
            send_messages,
            batch,
            workspace_id=workspace_id,
            user_id=user_id,
            description=f"Send {len(batch)} queued e-mail(s)",
            job_timeout=SEND_JOB_TIMEOUT,
            lane=Lane.MAIL,
        )
    return len(ids)


@recurring(
    "outbox-tick",
    schedule="OUTREACH_OUTBOX_SCHEDULE",
    description="Send due e-mails",
    timeout=300,
    lane=Lane.MAIL,
)
def outbox_tick() -> dict[str, int]:
    """Hand due messages to send jobs, one running per workspace."""
    with job_context() as app:
        recover_stalled()
        due = due_ids()
        owners = (
            dict(
                db.session.execute(
                    select(OutboundMessage.id, OutboundMessage.workspace_id).where(
                        OutboundMessage.id.in_(due)
                    )
                ).all()
            )
            if due
            else {}
        )
        db.session.commit()
        queue = get_queue(app, Lane.MAIL)
    by_workspace: dict[int, list[int]] = {}
    for message_id in due:
        by_workspace.setdefault(owners[message_id], []).append(message_id)
    started = 0
    for workspace_id, ids in by_workspace.items():
        # One send job per workspace at a time keeps each mailbox's gap between sends; the
        # fixed job id also means a second tick can never start a second sender.
        with contextlib.suppress(DuplicateJobError):
            queue.enqueue(
                send_messages,
                ids[:BATCH_SIZE],
                job_id=f"outreach-send-ws{workspace_id}",
                unique=True,
                result_ttl=0,
                failure_ttl=300,
                job_timeout=SEND_JOB_TIMEOUT,
                description=f"Send {min(len(ids), BATCH_SIZE)} due e-mail(s)",
            )
            started += 1
    return {"due": len(due), "send_jobs": started}


@recurring(
    "mailbox-poll",
    schedule="OUTREACH_MAILBOX_POLL_SCHEDULE",
    description="Poll mailboxes for replies and bounces",
    timeout=300,
    lane=Lane.MAIL,
)
def poll_mailboxes() -> dict[str, int]:
    """Queue a poll of every IMAP mailbox (one job per mailbox at a time), taking the
    workspaces in turn, and leaving out the mailboxes backing off after a failure."""
    with job_context() as app:
        rows = db.session.execute(
            select(Mailbox.id, Mailbox.workspace_id)
            .where(Mailbox.imap_host != "")
            .order_by(Mailbox.id)
        ).all()
        queue = get_queue(app, Lane.MAIL)
        resting = _backing_off(app, [mailbox_id for mailbox_id, _ in rows])
    by_workspace: dict[int, list[int]] = {}
    for mailbox_id, workspace_id in rows:
        if mailbox_id not in resting:
            by_workspace.setdefault(workspace_id, []).append(mailbox_id)
    started = 0
    for mailbox_id in round_robin(by_workspace):
        with contextlib.suppress(DuplicateJobError):
            queue.enqueue(
                poll_mailbox_job,
                mailbox_id,
                job_id=f"outreach-poll-mb{mailbox_id}",
                unique=True,
                result_ttl=0,
                failure_ttl=300,
                job_timeout=POLL_JOB_TIMEOUT,
                description="Poll a mailbox for replies",
            )
            started += 1
    return {"mailboxes": len(rows), "poll_jobs": started, "backing_off": len(resting)}
