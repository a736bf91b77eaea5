"""Friendly error pages."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient

from outreach.jobs import recurring
from tests.factories import SignIn
from tests.support.heartbeats import live_scheduler, live_worker


def test_unknown_page_gets_a_friendly_404(client: FlaskClient, auth: SignIn) -> None:
    auth()
    response = client.get("/no/such/page")
    assert response.status_code == 404
    page = response.get_data(as_text=True)
    assert "Not Found" in page and "Back to the start" in page and "<nav" in page


def test_server_error_gets_a_friendly_500_without_details(app: Flask, client: FlaskClient) -> None:
    app.config["PROPAGATE_EXCEPTIONS"] = False

    @app.get("/boom")
    def boom() -> str:
        raise RuntimeError("secret internals")

    response = client.get("/boom")
    assert response.status_code == 500
    page = response.get_data(as_text=True)
    assert "Something went wrong" in page and "secret internals" not in page


def test_health_endpoint_answers_without_login(
    app: Flask, client: FlaskClient, redis_url: str
) -> None:
    live_worker(app)
    live_scheduler(redis_url)
    response = client.get("/healthz")
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["status"] == "ok" and body["cron_schedulers"] == 1
    assert {job["name"] for job in body["recurring"]} == {e.name for e in recurring.registered()}
    assert client.get("/livez").get_json() == {"status": "ok"}
