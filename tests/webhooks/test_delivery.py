"""Delivering events: signed POSTs to a local receiver, retries with backoff, the address
policy, idempotence, and stopping for a disabled endpoint."""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import timedelta

from flask import Flask
from rq.registry import ScheduledJobRegistry
from sqlalchemy import func, select

from outreach.activity.events import STAGE_CHANGED
from outreach.activity.models import OutboxEvent
from outreach.db import utcnow
from outreach.extensions import db
from outreach.jobs.tasks import get_queue
from outreach.prospects import stages
from outreach.prospects.models import Stage
from outreach.webhooks import delivery, services
from outreach.webhooks.jobs import sweep
from outreach.webhooks.models import DeliveryStatus, WebhookAttempt, WebhookDelivery
from tests.support.receiver import Receiver, run_receiver
from tests.webhooks.conftest import Space, work


def _subscribe(space: Space, url: str) -> str:
    _, secret = services.create_endpoint(space.workspace.id, url, [STAGE_CHANGED], "CRM sync")
    db.session.commit()
    return secret


def _move(space: Space, to: Stage = Stage.QUALIFIED) -> WebhookDelivery:
    """Move the prospect through the real service; the delivery it owes."""
    stages.move(space.prospect, to)
    db.session.commit()
    found = db.session.scalars(select(WebhookDelivery).order_by(WebhookDelivery.id.desc()))
    item = found.first()
    assert item is not None
    return item


def _fresh(item: WebhookDelivery) -> WebhookDelivery:
    db.session.expire_all()
    fresh = db.session.get(WebhookDelivery, item.id)
    assert fresh is not None
    return fresh


def _check_signature(received: Receiver, secret: str) -> dict[str, object]:
    """Verify the last request the way a receiver would, with hmac alone; its JSON."""
    request = received.requests[-1]
    parts = dict(p.split("=", 1) for p in request.headers["outreach-signature"].split(","))
    signed = parts["t"].encode() + b"." + request.body
    expected = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    assert hmac.compare_digest(parts["v1"], expected), "the signature does not verify"
    assert abs(int(parts["t"]) - int(utcnow().timestamp())) < 120
    document: dict[str, object] = json.loads(request.body)
    assert request.headers["outreach-event-id"] == document["id"]
    assert request.headers["content-type"] == "application/json"
    return document


def test_a_stage_change_reaches_a_local_receiver_signed_through_the_job_queue(
    local_app: Flask, space: Space, redis_url: str
) -> None:
    with run_receiver() as receiver:
        secret = _subscribe(space, receiver.url())
        item = _move(space, Stage.CONTACTED)
        assert get_queue(local_app).count == 1, "the delivery is queued once the move commits"
        work(local_app, redis_url)
    assert len(receiver.requests) == 1
    document = _check_signature(receiver, secret)
    assert set(document) == {"id", "type", "created_at", "workspace_id", "data"}
    assert document["type"] == "prospect.stage_changed"
    assert document["workspace_id"] == space.workspace.id
    data = document["data"]
    assert isinstance(data, dict)
    assert data["prospect_id"] == space.prospect.id and data["to"] == "contacted"
    done = _fresh(item)
    assert done.status is DeliveryStatus.SUCCEEDED and done.attempts == 1
    attempt = db.session.scalar(select(WebhookAttempt).where(WebhookAttempt.delivery_id == item.id))
    assert attempt is not None and attempt.status_code == 200 and attempt.error is None


def test_a_failing_endpoint_is_retried_on_the_backoff_ladder_then_succeeds_once(
    local_app: Flask, space: Space
) -> None:
    with run_receiver([500, 503]) as receiver:
        secret = _subscribe(space, receiver.url())
        item = _move(space)
        start = utcnow()
        first = delivery.attempt(item.id, local_app.config, start)
        assert first.status == "retrying" and first.retry_in == timedelta(minutes=1)
        assert _fresh(item).next_attempt_at == start + timedelta(minutes=1)
        too_soon = delivery.attempt(item.id, local_app.config, start + timedelta(seconds=30))
        assert too_soon.status == "skipped" and len(receiver.requests) == 1
        second_at = start + timedelta(minutes=1, seconds=1)
        second = delivery.attempt(item.id, local_app.config, second_at)
        assert second.status == "retrying" and second.retry_in == timedelta(minutes=5)
        third_at = second_at + timedelta(minutes=5)
        assert delivery.attempt(item.id, local_app.config, third_at).status == "succeeded"
        later = delivery.attempt(item.id, local_app.config, third_at + timedelta(days=1))
        assert later.status == "skipped", "a delivered event is never sent again"
    assert len(receiver.requests) == 3
    assert len({r.headers["outreach-event-id"] for r in receiver.requests}) == 1
    assert len({r.body for r in receiver.requests}) == 1
    _check_signature(receiver, secret)
    done = _fresh(item)
    assert done.status is DeliveryStatus.SUCCEEDED and done.attempts == 3
    codes = db.session.scalars(
        select(WebhookAttempt.status_code)
        .where(WebhookAttempt.delivery_id == item.id)
        .order_by(WebhookAttempt.number)
    )
    assert list(codes) == [500, 503, 200]


def test_an_endpoint_that_keeps_failing_is_given_up_after_the_last_step(
    local_app: Flask, space: Space
) -> None:
    with run_receiver([500] * 20) as receiver:
        _subscribe(space, receiver.url())
        item = _move(space)
        moment = utcnow()
        waits = []
        while True:
            outcome = delivery.attempt(item.id, local_app.config, moment)
            if outcome.retry_in is None:
                break
            waits.append(outcome.retry_in)
            moment += outcome.retry_in
    assert outcome.status == "failed"
    assert waits == list(delivery.BACKOFF)
    assert len(receiver.requests) == delivery.MAX_ATTEMPTS == 6
    done = _fresh(item)
    assert done.status is DeliveryStatus.FAILED and done.last_status_code == 500
    assert done.next_attempt_at is None


def test_a_failed_job_schedules_its_retry_with_rq_and_the_sweep_catches_lost_ones(
    local_app: Flask, space: Space, redis_url: str
) -> None:
    with run_receiver([500]) as receiver:
        _subscribe(space, receiver.url())
        item = _move(space)
        work(local_app, redis_url)
        queue = get_queue(local_app)
        registry = ScheduledJobRegistry(queue=queue)
        [job_id] = registry.get_job_ids()
        wait = registry.get_scheduled_time(job_id) - utcnow()
        assert timedelta(seconds=50) < wait <= timedelta(minutes=1)
        failed = _fresh(item)
        assert failed.status is DeliveryStatus.PENDING and failed.last_status_code == 500
        # The scheduled job is lost (Redis flushed): the sweep finds the overdue delivery.
        registry.remove(job_id, delete_job=True)
        failed.next_attempt_at = utcnow() - timedelta(minutes=5)
        db.session.commit()
        assert sweep() == {"recovered": 0, "queued": 1, "pruned": 0}
        work(local_app, redis_url)
    assert len(receiver.requests) == 2
    assert _fresh(item).status is DeliveryStatus.SUCCEEDED


def test_a_private_address_is_refused_by_the_address_policy_unless_allowed(
    app: Flask, space: Space
) -> None:
    assert not app.config.get("OUTREACH_ALLOWED_NETWORKS")
    with run_receiver() as receiver:
        _subscribe(space, receiver.url())
        item = _move(space)
        outcome = delivery.attempt(item.id, app.config)
        assert outcome.status == "retrying"
        assert receiver.requests == [], "nothing may reach a loopback address"
        refused = _fresh(item)
        assert refused.last_error is not None
        assert refused.last_error.startswith("blocked_address")
        app.config["OUTREACH_ALLOWED_NETWORKS"] = ("127.0.0.0/8",)
        retry_at = utcnow() + timedelta(minutes=2)
        assert delivery.attempt(item.id, app.config, retry_at).status == "succeeded"
    assert len(receiver.requests) == 1


def test_turning_an_endpoint_off_stops_its_deliveries_and_retries(
    local_app: Flask, space: Space
) -> None:
    with run_receiver([500]) as receiver:
        _subscribe(space, receiver.url())
        item = _move(space)
        assert delivery.attempt(item.id, local_app.config).status == "retrying"
        endpoint = services.get_endpoint(space.workspace.id, item.endpoint_id)
        services.set_enabled(endpoint, False)
        db.session.commit()
        assert _fresh(item).status is DeliveryStatus.CANCELLED
        later = utcnow() + timedelta(hours=1)
        assert delivery.attempt(item.id, local_app.config, later).status == "skipped"
        _move(space, Stage.CONTACTED)
    assert len(receiver.requests) == 1
    count = db.session.scalar(select(func.count()).select_from(WebhookDelivery))
    assert count == 1, "a disabled endpoint gets no new deliveries"
    assert db.session.scalar(select(func.count()).select_from(OutboxEvent)) == 2


def test_a_delivery_left_sending_by_a_dead_worker_is_put_back_on_the_ladder(
    local_app: Flask, space: Space
) -> None:
    _subscribe(space, "https://hooks.example/in")
    item = _move(space)
    assert delivery.claim(item.id, utcnow())
    assert delivery.recover_stale(utcnow()) == 0, "a fresh claim is someone's work in progress"
    claimed = _fresh(item)
    assert claimed.status is DeliveryStatus.SENDING
    claimed.claimed_at = utcnow() - timedelta(minutes=11)
    db.session.commit()
    now = utcnow()
    assert delivery.recover_stale(now) == 1
    db.session.commit()
    back = _fresh(item)
    assert back.status is DeliveryStatus.PENDING and back.attempts == 1
    assert back.next_attempt_at == now + delivery.BACKOFF[0]
    assert back.last_error is not None and "interrupted" in back.last_error


def test_the_sweep_forgets_events_and_their_log_after_thirty_days(
    local_app: Flask, space: Space
) -> None:
    _subscribe(space, "https://hooks.example/in")
    old = _move(space)
    old_id, recent_id = old.id, _move(space, Stage.CONTACTED).id
    event = db.session.get(OutboxEvent, old.event_id)
    assert event is not None
    event.created_at = utcnow() - timedelta(days=31)
    db.session.commit()
    assert sweep()["pruned"] == 1
    db.session.expire_all()
    assert db.session.get(WebhookDelivery, old_id) is None
    assert db.session.get(WebhookDelivery, recent_id) is not None


def test_the_sweep_is_recurring_work_every_minute_by_default(app: Flask) -> None:
    from outreach.jobs import recurring

    entry = recurring.get("webhook-sweep")
    assert entry.func is sweep and entry.schedule(app.config) == "* * * * *"
    app.config["OUTREACH_WEBHOOK_SWEEP_SCHEDULE"] = "*/5 * * * *"
    assert entry.schedule(app.config) == "*/5 * * * *"
