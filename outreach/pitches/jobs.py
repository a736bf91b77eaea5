"""Pitch jobs: sending outbox rows, polling a mailbox, and the outbox tick (every minute, send
what is due and poll mailboxes for replies)."""

from __future__ import annotations

import contextlib
from datetime import datetime, timedelta

from rq import Queue
from rq.exceptions import DuplicateJobError
from sqlalchemy import select

from outreach.db import utcnow
from outreach.extensions import db
from outreach.jobs.context import job_context
from outreach.jobs.tasks import get_queue, launch
from outreach.pitches.imap import poll
from outreach.pitches.models import Mailbox, OutboundMessage
from outreach.pitches.outbox import BATCH_SIZE, due_ids, recover_stalled
from outreach.pitches.sending import deliver

TICK_EVERY = timedelta(minutes=1)


def send_messages(message_ids: list[int]) -> dict[str, int]:
    """RQ job: send a batch of outbox rows by id; running it twice sends nothing twice."""
    with job_context():
        return deliver(message_ids)


def poll_mailbox_job(mailbox_id: int) -> dict[str, int]:
    """RQ job: read new mail of one mailbox and record replies and bounces."""
    with job_context():
        mailbox = db.session.get(Mailbox, mailbox_id)
        if mailbox is None or not mailbox.imap_host:
            return {}
        return poll(mailbox)


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
        )
    return len(ids)


def outbox_tick(reschedule: bool = True) -> dict[str, int]:
    """Hand due messages to send jobs (one running per workspace) and poll every IMAP mailbox."""
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
        mailbox_ids = list(db.session.scalars(select(Mailbox.id).where(Mailbox.imap_host != "")))
        db.session.commit()
        queue = get_queue(app)
    by_workspace: dict[int, list[int]] = {}
    for message_id in due:
        by_workspace.setdefault(owners[message_id], []).append(message_id)
    started = 0
    for workspace_id, ids in by_workspace.items():
        # One send job per workspace at a time keeps each mailbox's gap between sends.
        with contextlib.suppress(DuplicateJobError):
            queue.enqueue(
                send_messages,
                ids[:BATCH_SIZE],
                job_id=f"outreach-send-ws{workspace_id}",
                unique=True,
                result_ttl=0,
                failure_ttl=300,
                job_timeout=3600,
                description=f"Send {min(len(ids), BATCH_SIZE)} due e-mail(s)",
            )
            started += 1
    for mailbox_id in mailbox_ids:
        with contextlib.suppress(DuplicateJobError):
            queue.enqueue(
                poll_mailbox_job,
                mailbox_id,
                job_id=f"outreach-poll-mb{mailbox_id}",
                unique=True,
                result_ttl=0,
                failure_ttl=300,
                job_timeout=600,
                description="Poll a mailbox for replies",
            )
    if reschedule:
        ensure_tick_scheduled(queue, after=utcnow())
    return {"due": len(due), "send_jobs": started, "mailboxes": len(mailbox_ids)}


def tick_slot(after: datetime) -> datetime:
    """The next full minute after ``after``."""
    return after.replace(second=0, microsecond=0) + TICK_EVERY


def ensure_tick_scheduled(queue: Queue, after: datetime | None = None) -> str:
    """Schedule the next outbox tick unless it already is; returns its job id."""
    at = tick_slot(after or utcnow())
    job_id = f"outreach-outbox-tick-{at:%Y%m%d%H%M}"
    with contextlib.suppress(DuplicateJobError):
        queue.enqueue_at(
            at,
            outbox_tick,
            job_id=job_id,
            unique=True,
            result_ttl=60,
            description="Send due e-mails and poll mailboxes",
        )
    return job_id
