"""Workers and the cron scheduler made visible: ``/healthz`` and the banner on every page."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient

from outreach.jobs.liveness import read_liveness
from tests.factories import SignIn
from tests.support.heartbeats import live_scheduler, live_worker

BANNER = 'data-banner="workers"'


def test_healthz_fails_without_a_worker_or_a_scheduler(client: FlaskClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.get_json()
    assert body["status"] == "failing"
    assert body["database"] == {"ok": True, "error": None} and body["redis"] == {"ok": True}
    assert body["workers"] == [] and body["schedulers"] == []
    assert body["problems"] == ["no job worker is running", "no cron scheduler is running"]


def test_healthz_lists_each_worker_and_scheduler_with_its_heartbeat_age(
    app: Flask, client: FlaskClient, redis_url: str
) -> None:
    live_worker(app, "worker-a", ago=5)
    live_scheduler(redis_url, "cron-a", ago=10)
    response = client.get("/healthz")
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    (worker,) = body["workers"]
    assert worker["name"] == "worker-a" and "outreach-test" in worker["queues"]
    assert 4 <= worker["age_seconds"] < 30 and worker["stale"] is False
    (scheduler,) = body["schedulers"]
    assert scheduler["name"] == "cron-a" and 9 <= scheduler["age_seconds"] < 30
    assert body["problems"] == []


def test_a_stale_worker_or_scheduler_fails_healthz_even_beside_live_ones(
    app: Flask, client: FlaskClient, redis_url: str
) -> None:
    live_worker(app, "worker-a")
    live_scheduler(redis_url, "cron-a")
    stale_after = app.config["OUTREACH_WORKER_STALE_AFTER"]
    live_worker(app, "worker-hung", ago=stale_after + 5)
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.get_json()
    assert {w["name"]: w["stale"] for w in body["workers"]} == {
        "worker-a": False,
        "worker-hung": True,
    }
    (problem,) = body["problems"]
    assert problem.startswith("worker worker-hung has not been seen for 6"), problem
    live_scheduler(redis_url, "cron-hung", ago=app.config["OUTREACH_SCHEDULER_STALE_AFTER"] + 1)
    assert len(read_liveness(app, app.extensions["outreach_health_redis"]).problems) == 2


def test_every_page_says_so_when_no_worker_was_seen_for_a_minute(
    app: Flask, client: FlaskClient, auth: SignIn, redis_url: str
) -> None:
    auth()
    live_worker(app, "worker-gone", ago=61)
    for page in ("/", "/campaigns/", "/jobs/"):
        html = client.get(page).get_data(as_text=True)
        assert BANNER in html and "Background jobs are not running" in html, page
    live_worker(app, "worker-back")
    assert BANNER in client.get("/").get_data(as_text=True), "the answer is cached briefly"
    app.extensions.pop("outreach_workers_missing")  # as after the cache's few seconds
    assert BANNER not in client.get("/").get_data(as_text=True)


def test_signed_out_pages_and_an_unreachable_redis_show_no_worker_banner(
    app: Flask, client: FlaskClient, auth: SignIn
) -> None:
    assert BANNER not in client.get("/login").get_data(as_text=True)
    auth()
    app.config["REDIS_URL"] = "redis://127.0.0.1:9/0"  # nothing listens on the discard port
    app.extensions.pop("outreach_health_redis", None)
    page = client.get("/campaigns/")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Background jobs cannot run" in html and BANNER not in html


def test_the_jobs_page_says_whether_workers_run(
    app: Flask, client: FlaskClient, auth: SignIn, redis_url: str
) -> None:
    auth()
    page = client.get("/jobs/").get_data(as_text=True)
    assert 'data-workers="0"' in page and "No job worker has been seen for a minute" in page
    live_worker(app, "worker-a", ago=3)
    live_worker(app, "worker-b", ago=90)  # dead, not yet forgotten by RQ
    page = client.get("/jobs/").get_data(as_text=True)
    assert 'data-workers="1"' in page and "1 worker running (0 busy)" in page


def test_a_queue_without_a_live_worker_fails_healthz(
    app: Flask, client: FlaskClient, redis_url: str
) -> None:
    live_scheduler(redis_url)
    worker = live_worker(app, "worker-elsewhere")
    worker.connection.hset(worker.key, "queues", "someone-elses-queue")
    body = client.get("/healthz").get_json()
    queue = app.config["OUTREACH_QUEUE"]
    assert body["status"] == "failing"
    assert f"no job worker takes queue {queue!r}" in body["problems"]
