"""The delivery job, its scheduled retries, and the sweep that picks up lost deliveries.

Deliveries created in a transaction are queued once it commits (never before: the worker
must find the rows). A failed attempt queues its retry with RQ's scheduler at the next
step of the backoff ladder (workers run ``--with-scheduler``). The ``webhook-sweep``
recurring job (``OUTREACH_WEBHOOK_SWEEP_SCHEDULE``, every minute) queues again whatever
is overdue (a job lost with Redis, a commit whose enqueue failed) and puts back deliveries
a dead worker left in ``sending``; the delivery's claim makes any duplicate a no-op.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from flask import Flask, current_app
from rq import Queue
from sqlalchemy import event, inspect
from sqlalchemy.orm import Session

from outreach.activity import events
from outreach.db import utcnow
from outreach.extensions import db
from outreach.jobs.context import job_context, report_progress
from outreach.jobs.recurring import recurring
from outreach.jobs.tasks import get_queue
from outreach.webhooks import delivery
from outreach.webhooks.models import WebhookDelivery

log = logging.getLogger(__name__)
PENDING_KEY = "outreach_webhook_deliveries"  # Session.info: deliveries to queue on commit
EVENTS_KEPT = timedelta(days=30)  # events (with their delivery log) are kept this long
OVERDUE = timedelta(minutes=2)  # the sweep queues deliveries this late (their job is lost)
JOB_TIMEOUT = 120
RESULT_TTL = 3600


def deliver(delivery_id: int) -> str:
    """Make one attempt at a delivery (if due and unclaimed); queue the retry if it failed."""
    with job_context() as app:
        outcome = delivery.attempt(delivery_id, app.config)
        if outcome.retry_in is not None:
            _queue(app, delivery_id, outcome.retry_in)
    return outcome.status


def _queue(app: Flask, delivery_id: int, wait: timedelta) -> None:
    get_queue(app).enqueue_in(
        wait,
        deliver,
        delivery_id,
        job_timeout=JOB_TIMEOUT,
        result_ttl=RESULT_TTL,
        description=f"Webhook delivery {delivery_id}",
    )


def queue_now(app: Flask, delivery_ids: list[int]) -> None:
    """Queue a delivery job per id, in one round trip to Redis."""
    queue = get_queue(app)
    jobs = [
        Queue.prepare_data(
            deliver,
            (delivery_id,),
            timeout=JOB_TIMEOUT,
            result_ttl=RESULT_TTL,
            description=f"Webhook delivery {delivery_id}",
        )
        for delivery_id in delivery_ids
    ]
    for start in range(0, len(jobs), 500):
        queue.enqueue_many(jobs[start : start + 500])


def queue_after_commit(item: WebhookDelivery) -> None:
    """Queue the first attempt of ``item`` once the current transaction commits."""
    db.session().info.setdefault(PENDING_KEY, []).append(item)


@event.listens_for(Session, "after_commit")
def _queue_committed(session: Session) -> None:
    items = session.info.pop(PENDING_KEY, [])
    ids = [key[0] for key in (inspect(item).identity for item in items) if key]
    if not ids:
        return
    try:
        app = current_app._get_current_object()  # type: ignore[attr-defined]
        queue_now(app, ids)
    except Exception:  # Redis away: the commit stands and the sweep queues them later
        log.exception("could not queue webhook deliveries %s; the sweep will", ids)


@event.listens_for(Session, "after_soft_rollback")
def _forget_rolled_back(session: Session, previous_transaction: Any) -> None:
    if not session.in_transaction():
        session.info.pop(PENDING_KEY, None)


@recurring(
    "webhook-sweep",
    schedule="OUTREACH_WEBHOOK_SWEEP_SCHEDULE",
    description="Queue overdue webhook deliveries again",
    timeout=300,
)
def sweep() -> dict[str, int]:
    """Put back deliveries a dead worker left mid-send, queue every overdue one, and forget
    events (with their delivery log) older than :data:`EVENTS_KEPT`."""
    with job_context() as app:
        now = utcnow()
        recovered = delivery.recover_stale(now)
        pruned = events.prune(now - EVENTS_KEPT)
        db.session.commit()
        ids = delivery.due_ids(now, OVERDUE)
        queue_now(app, ids)
        report_progress(recovered=recovered, queued=len(ids), pruned=pruned)
    return {"recovered": recovered, "queued": len(ids), "pruned": pruned}
