"""The webhook settings pages: owners only, scoped to the workspace, CSRF on every form."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient
from redis import Redis
from sqlalchemy import select

from outreach.accounts.models import Membership, Role
from outreach.accounts.services import create_user
from outreach.activity.events import LINK_LIVE, STAGE_CHANGED
from outreach.extensions import db
from outreach.webhooks import services
from outreach.webhooks.models import WebhookEndpoint
from tests.factories import Factory
from tests.support.receiver import run_receiver
from tests.webhooks.conftest import Space, work


def _login(client: FlaskClient, email: str = "owner@example.com") -> None:
    response = client.post("/login", data={"email": email, "password": Factory.PASSWORD})
    assert response.status_code == 302


def _add(client: FlaskClient, url: str, events: list[str]) -> str:
    response = client.post(
        "/workspace/webhooks/", data={"url": url, "description": "Zapier", "events": events}
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    return response.location


def test_an_owner_adds_a_webhook_and_sees_its_secret_which_is_stored_encrypted(
    client: FlaskClient, space: Space
) -> None:
    _login(client)
    location = _add(client, "https://hooks.example/outreach", [STAGE_CHANGED, LINK_LIVE])
    page = client.get(location).get_data(as_text=True)
    endpoint = db.session.scalar(select(WebhookEndpoint))
    assert endpoint is not None and endpoint.workspace_id == space.workspace.id
    assert endpoint.events == [LINK_LIVE, STAGE_CHANGED]
    secret = services.secret_of(endpoint)
    assert secret.startswith("whsec_") and secret in page
    assert secret not in endpoint.secret_encrypted
    listing = client.get("/workspace/webhooks/").get_data(as_text=True)
    assert "https://hooks.example/outreach" in listing and "Zapier" in listing


def test_bad_addresses_and_no_events_are_refused_with_the_reason(
    client: FlaskClient, space: Space
) -> None:
    _login(client)
    response = client.post(
        "/workspace/webhooks/", data={"url": "ftp://x.example/", "events": [STAGE_CHANGED]}
    )
    assert response.status_code == 422 and "full http(s) address" in response.get_data(as_text=True)
    response = client.post("/workspace/webhooks/", data={"url": "https://x.example/"})
    assert response.status_code == 422 and "at least one event" in response.get_data(as_text=True)
    response = client.post(
        "/workspace/webhooks/", data={"url": "https://u:p@x.example/", "events": [STAGE_CHANGED]}
    )
    assert response.status_code == 422
    assert db.session.scalar(select(WebhookEndpoint)) is None


def _enabled() -> bool:
    db.session.expire_all()
    endpoint = db.session.scalar(select(WebhookEndpoint))
    assert endpoint is not None
    return bool(endpoint.enabled)


def test_rotate_turn_off_and_delete(client: FlaskClient, space: Space) -> None:
    _login(client)
    location = _add(client, "https://hooks.example/outreach", [STAGE_CHANGED])
    endpoint = db.session.scalar(select(WebhookEndpoint))
    assert endpoint is not None
    before = services.secret_of(endpoint)
    assert client.post(f"{location}/rotate").status_code == 302
    db.session.expire_all()
    after = services.secret_of(endpoint)
    assert after != before and after in client.get(location).get_data(as_text=True)
    assert client.post(f"{location}/disable").status_code == 302
    assert _enabled() is False
    assert "Turn on" in client.get(location).get_data(as_text=True)
    refused = client.post(f"{location}/test", follow_redirects=True).get_data(as_text=True)
    assert "Turn the webhook on to send it a test event" in refused
    assert client.post(f"{location}/enable").status_code == 302
    assert _enabled() is True
    assert client.post(f"{location}/delete").status_code == 302
    db.session.expire_all()
    assert db.session.scalar(select(WebhookEndpoint)) is None
    assert client.get(location).status_code == 404


def test_the_test_button_sends_a_signed_ping_shown_in_the_delivery_log(
    app: Flask, client: FlaskClient, space: Space, redis_url: str
) -> None:
    app.config["OUTREACH_ALLOWED_NETWORKS"] = ("127.0.0.0/8",)
    _login(client)
    with run_receiver() as receiver:
        location = _add(client, receiver.url(), [LINK_LIVE])
        assert client.post(f"{location}/test").status_code == 302
        work(app, redis_url)
    [request] = receiver.requests
    assert b'"type":"webhook.ping"' in request.body
    assert "outreach-signature" in request.headers
    db.session.expire_all()
    page = client.get(location).get_data(as_text=True)
    assert "webhook.ping" in page and "delivered" in page and "HTTP 200" in page
    assert "webhook.ping" in client.get("/workspace/webhooks/").get_data(as_text=True)


def test_a_member_is_refused_every_webhook_page(
    app: Flask, client: FlaskClient, space: Space
) -> None:
    endpoint, _ = services.create_endpoint(space.workspace.id, "https://h.example/", [LINK_LIVE])
    member = create_user("member@example.com", Factory.PASSWORD)
    db.session.add(Membership(workspace_id=space.workspace.id, user_id=member.id, role=Role.MEMBER))
    db.session.commit()
    _login(client, "member@example.com")
    base = f"/workspace/webhooks/{endpoint.id}"
    assert client.get("/workspace/webhooks/").status_code == 403
    assert client.get(base).status_code == 403
    for action in ("test", "disable", "enable", "rotate", "delete"):
        assert client.post(f"{base}/{action}").status_code == 403, action
    response = client.post(
        "/workspace/webhooks/", data={"url": "https://m.example/", "events": [LINK_LIVE]}
    )
    assert response.status_code == 403
    db.session.expire_all()
    assert len(services.list_endpoints(space.workspace.id)) == 1


def test_another_workspaces_webhook_is_a_404_and_untouched(
    client: FlaskClient, space: Space, factory: Factory
) -> None:
    _, theirs = factory.user_with_workspace("them@example.com", "Theirs")
    endpoint, secret = services.create_endpoint(theirs.id, "https://them.example/", [LINK_LIVE])
    db.session.commit()
    _login(client)
    base = f"/workspace/webhooks/{endpoint.id}"
    assert client.get(base).status_code == 404
    for action in ("test", "disable", "rotate", "delete"):
        assert client.post(f"{base}/{action}").status_code == 404, action
    listing = client.get("/workspace/webhooks/").get_data(as_text=True)
    assert "them.example" not in listing
    db.session.expire_all()
    kept = db.session.get(WebhookEndpoint, endpoint.id)
    assert kept is not None and kept.enabled and services.secret_of(kept) == secret


@pytest.fixture
def csrf_on(app: Flask) -> Iterator[Flask]:
    app.config["WTF_CSRF_ENABLED"] = True
    yield app
    app.config["WTF_CSRF_ENABLED"] = False


def test_every_webhook_form_needs_its_csrf_token(
    csrf_on: Flask, client: FlaskClient, space: Space
) -> None:
    endpoint, _ = services.create_endpoint(space.workspace.id, "https://h.example/", [LINK_LIVE])
    db.session.commit()
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)
    assert token
    login = {"email": "owner@example.com", "password": Factory.PASSWORD}
    assert client.post("/login", data={**login, "csrf_token": token.group(1)}).status_code == 302
    data = {"url": "https://new.example/", "events": [LINK_LIVE]}
    assert client.post("/workspace/webhooks/", data=data).status_code == 400
    for action in ("test", "disable", "rotate", "delete"):
        response = client.post(f"/workspace/webhooks/{endpoint.id}/{action}")
        assert response.status_code == 400, action
    page = client.get(f"/workspace/webhooks/{endpoint.id}").get_data(as_text=True)
    forms = re.findall(r"<form method=\"post\"[^>]*>(.*?)</form>", page, re.S)
    assert len(forms) >= 4 and all('name="csrf_token"' in form for form in forms)
    db.session.expire_all()
    kept = db.session.get(WebhookEndpoint, endpoint.id)
    assert kept is not None and kept.enabled, "nothing changed without a token"
    assert len(services.list_endpoints(space.workspace.id)) == 1


def test_workspace_settings_link_to_the_webhooks_page(client: FlaskClient, space: Space) -> None:
    _login(client)
    page = client.get("/workspace/settings").get_data(as_text=True)
    assert 'href="/workspace/webhooks/"' in page
    webhooks = client.get("/workspace/webhooks/").get_data(as_text=True)
    assert 'href="/workspace/settings"' in webhooks


def test_redis_is_not_touched_by_a_page_view(
    client: FlaskClient, space: Space, redis_url: str
) -> None:
    _login(client)
    client.get("/workspace/webhooks/")
    assert Redis.from_url(redis_url).llen("rq:queue:outreach-test") == 0
