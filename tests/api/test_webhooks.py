"""Webhooks over the API: owners register, list, test and remove endpoints; the secret the
create call returns is the one deliveries are signed with."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import func, select

from outreach.activity.events import LINK_LOST, STAGE_CHANGED
from outreach.extensions import db
from outreach.webhooks.models import WebhookDelivery, WebhookEndpoint
from tests.api.conftest import Api, Caller
from tests.support.receiver import run_receiver
from tests.webhooks.conftest import work
from tests.webhooks.test_delivery import _check_signature


def test_an_owner_registers_tests_and_removes_a_webhook(
    app: Flask, api: Api, owner: Caller, redis_url: str
) -> None:
    app.config["OUTREACH_ALLOWED_NETWORKS"] = ("127.0.0.0/8",)  # the receiver is local
    with run_receiver() as receiver:
        body = {"url": receiver.url(), "events": [STAGE_CHANGED, LINK_LOST], "description": "CRM"}
        created = api.post("/api/v1/webhooks", owner, json=body)
        assert created.status_code == 201, created.json
        hook = created.json
        assert set(hook["events"]) == {LINK_LOST, STAGE_CHANGED}
        assert hook["enabled"] is True and hook["secret"]

        listed = api.get("/api/v1/webhooks", owner).json
        assert [h["id"] for h in listed["items"]] == [hook["id"]]
        assert "secret" not in listed["items"][0], "the secret is shown once only"
        assert api.get(f"/api/v1/webhooks/{hook['id']}", owner).json["url"] == receiver.url()

        ping = api.post(f"/api/v1/webhooks/{hook['id']}/test", owner)
        assert ping.status_code == 202, ping.json
        work(app, redis_url)
    document = _check_signature(receiver, hook["secret"])
    assert document["type"] == "webhook.ping"

    assert api.call("DELETE", f"/api/v1/webhooks/{hook['id']}", owner).status_code == 204
    assert api.get(f"/api/v1/webhooks/{hook['id']}", owner).status_code == 404
    assert db.session.scalar(select(func.count()).select_from(WebhookDelivery)) == 0


def test_bad_webhooks_are_refused_by_field(api: Api, owner: Caller) -> None:
    unknown = api.post(
        "/api/v1/webhooks", owner, json={"url": "https://hooks.example/x", "events": ["nope"]}
    )
    assert unknown.status_code == 422
    assert any(e["field"].startswith("events") for e in unknown.json["errors"])
    none = api.post(
        "/api/v1/webhooks", owner, json={"url": "https://hooks.example/x", "events": []}
    )
    assert none.status_code == 422
    ftp = api.post(
        "/api/v1/webhooks", owner, json={"url": "ftp://x.example/", "events": [LINK_LOST]}
    )
    assert ftp.status_code == 422 and "http" in ftp.json["detail"]
    assert db.session.scalar(select(func.count()).select_from(WebhookEndpoint)) == 0


def test_a_member_may_not_manage_webhooks(api: Api, member: Caller) -> None:
    body = {"url": "https://hooks.example/x", "events": [LINK_LOST]}
    assert api.post("/api/v1/webhooks", member, json=body).status_code == 403
    assert api.get("/api/v1/webhooks", member).status_code == 403
