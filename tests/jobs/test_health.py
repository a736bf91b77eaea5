"""Recurring work made visible: the jobs page, the banner on every page, and ``/healthz``."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from redis import Redis
from rq.cron import CronScheduler

from outreach.db import utcnow
from outreach.jobs import recurring
from outreach.jobs.health import recurring_health
from outreach.jobs.runner import cron_jobs, state_key
from tests.support.heartbeats import live_scheduler, live_worker


def _succeeded(redis_url: str, name: str, ago: timedelta, since: timedelta) -> None:
    now = utcnow()
    Redis.from_url(redis_url).hset(
        state_key(name),
        mapping={
            "since": (now - since).isoformat(),
            "last_start": (now - ago - timedelta(seconds=1)).isoformat(),
            "last_success": (now - ago).isoformat(),
        },
    )


def test_a_job_without_success_for_three_periods_is_reported_on_every_page_and_healthz(
    app: Flask, client: FlaskClient, auth: Any, redis_url: str
) -> None:
    auth()
    for entry in recurring.registered():
        late = entry.name == "outbox-tick"
        ago = timedelta(minutes=3, seconds=5) if late else timedelta(seconds=20)
        _succeeded(redis_url, entry.name, ago=ago, since=timedelta(days=1))
    assert {job.name for job in recurring_health(app).overdue} == {"outbox-tick"}

    health = client.get("/healthz")
    assert health.status_code == 503
    body = health.get_json()
    assert body["status"] == "failing"
    assert {job["name"]: job["overdue"] for job in body["recurring"]} == {
        entry.name: entry.name == "outbox-tick" for entry in recurring.registered()
    }
    for page in ("/", "/campaigns/", "/jobs/"):
        html = client.get(page).get_data(as_text=True)
        assert 'data-banner="recurring"' in html, page
        assert "send due e-mails (last success 3 minutes ago)" in html, page
    jobs_page = client.get("/jobs/").get_data(as_text=True)
    assert "overdue" in jobs_page and "Send due e-mails" in jobs_page
    assert client.get("/livez").get_json() == {"status": "ok"}, "liveness ignores the queue"


def test_two_periods_without_success_are_not_yet_overdue(
    app: Flask, client: FlaskClient, auth: Any, redis_url: str
) -> None:
    auth()
    live_worker(app)
    live_scheduler(redis_url)
    for entry in recurring.registered():
        ago = timedelta(minutes=2, seconds=30)
        _succeeded(redis_url, entry.name, ago=ago, since=timedelta(days=1))
    assert recurring_health(app).ok
    assert client.get("/healthz").status_code == 200
    assert 'data-banner="recurring"' not in client.get("/").get_data(as_text=True)


def test_the_banner_reads_recurring_work_once_per_few_seconds_not_per_page(
    app: Flask, client: FlaskClient, auth: Any, redis_url: str
) -> None:
    auth()
    for entry in recurring.registered():
        _succeeded(redis_url, entry.name, ago=timedelta(seconds=20), since=timedelta(days=1))
    assert 'data-banner="recurring"' not in client.get("/").get_data(as_text=True)
    late = timedelta(minutes=3, seconds=5)
    _succeeded(redis_url, "outbox-tick", ago=late, since=timedelta(days=1))
    assert not recurring_health(app).ok
    assert 'data-banner="recurring"' not in client.get("/campaigns/").get_data(as_text=True)
    app.extensions.pop("outreach_recurring_banner")  # as after the cache's few seconds
    assert 'data-banner="recurring"' in client.get("/campaigns/").get_data(as_text=True)


def test_a_job_never_seen_is_watched_from_the_first_look_and_overdue_three_periods_later(
    app: Flask,
) -> None:
    now = utcnow()
    assert recurring_health(app, now).ok, "a fresh install is not failing yet"
    later = recurring_health(app, now + timedelta(minutes=3, seconds=1))
    every_minute = {job.name for job in later.jobs if job.period == timedelta(minutes=1)}
    assert {"outbox-tick", "mailbox-poll"} <= every_minute
    assert {job.name for job in later.overdue} == every_minute
    assert all(job.last_success is None for job in later.jobs)
    much_later = recurring_health(app, now + timedelta(hours=3, minutes=1))
    assert {job.name for job in much_later.overdue} == {e.name for e in recurring.registered()}


def test_the_next_run_comes_from_the_live_cron_scheduler(
    app: Flask, client: FlaskClient, auth: Any, redis_url: str
) -> None:
    auth()
    assert "No cron scheduler is running" in client.get("/jobs/").get_data(as_text=True)
    assert all(job.next_run is None for job in recurring_health(app).jobs)

    scheduler = CronScheduler(connection=Redis.from_url(redis_url), name="test-scheduler")
    for job in cron_jobs(app):
        scheduler.register(**job)
    scheduler.register_birth()
    health = recurring_health(app)
    assert health.schedulers == 1
    next_runs = {job.name: job.next_run for job in health.jobs}
    now = utcnow()
    assert all(at is not None and now < at for at in next_runs.values())
    assert next_runs["outbox-tick"] <= now + timedelta(minutes=1)  # type: ignore[operator]
    assert next_runs["link-sweep"] <= now + timedelta(hours=1)  # type: ignore[operator]
    page = client.get("/jobs/").get_data(as_text=True)
    assert "1 cron scheduler running" in page and "not scheduled" not in page
    body = client.get("/healthz").get_json()
    assert body["cron_schedulers"] == 1 and all(job["next_run"] for job in body["recurring"])


def test_an_unreachable_redis_fails_healthz_and_shows_on_pages_quickly(
    app: Flask, client: FlaskClient, auth: Any
) -> None:
    auth()
    app.config["REDIS_URL"] = "redis://127.0.0.1:9/0"  # nothing listens on the discard port
    app.extensions.pop("outreach_health_redis", None)
    started = utcnow()
    health = client.get("/healthz")
    assert health.status_code == 503 and "Redis is unreachable" in health.get_json()["error"]
    assert "Background jobs cannot run" in client.get("/campaigns/").get_data(as_text=True)
    assert utcnow() - started < timedelta(seconds=5)


def test_pages_of_a_signed_out_visitor_carry_no_banner(app: Flask, client: FlaskClient) -> None:
    app.config["REDIS_URL"] = "redis://127.0.0.1:9/0"
    app.extensions.pop("outreach_health_redis", None)
    assert "Background jobs cannot run" not in client.get("/login").get_data(as_text=True)
