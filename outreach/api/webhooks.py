"""``/api/v1/webhooks``: register, list, test and remove webhook endpoints (owners only).

The settings page's services: the signing secret is shown once, in the answer that creates
the endpoint; deliveries go through the same outbox, signing and retries.
"""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from flask import Response
from marshmallow import fields, validate

from outreach.activity.events import EVENT_TYPES
from outreach.api.auth import caller, require_owner
from outreach.api.blueprint import api_blueprint
from outreach.api.problems import Problem
from outreach.extensions import db
from outreach.webhooks import services
from outreach.webhooks.models import WebhookEndpoint

blp = api_blueprint("webhooks", __name__, "Webhooks: signed event deliveries to your URLs.")


class WebhookSchema(ma.Schema):
    """A webhook endpoint: where events go and which ones."""

    id = fields.Integer(dump_only=True)
    url = fields.String(required=True, validate=validate.Length(min=1, max=2048))
    events = fields.List(
        fields.String(validate=validate.OneOf(list(EVENT_TYPES))),
        required=True,
        validate=validate.Length(min=1),
        metadata={"description": f"Any of: {', '.join(EVENT_TYPES)}."},
    )
    description = fields.String(load_default="", validate=validate.Length(max=200))
    enabled = fields.Boolean(dump_only=True)
    created_at = fields.DateTime(dump_only=True)


class CreatedWebhookSchema(WebhookSchema):
    """A new endpoint with its signing secret, shown this once."""

    secret = fields.String(
        dump_only=True, metadata={"description": "Verify Outreach-Signature with it."}
    )


class WebhookListSchema(ma.Schema):
    """The workspace's endpoints, oldest first (at most 20)."""

    items = fields.List(fields.Nested(WebhookSchema))


class TestDeliverySchema(ma.Schema):
    """The queued test delivery."""

    delivery_id = fields.Integer()
    status = fields.String()


def webhook_json(endpoint: WebhookEndpoint) -> dict[str, Any]:
    """An endpoint as the API shows it (never its secret)."""
    return {
        "id": endpoint.id,
        "url": endpoint.url,
        "events": list(endpoint.events),
        "description": endpoint.description,
        "enabled": endpoint.enabled,
        "created_at": endpoint.created_at,
    }


@blp.route("", methods=["GET"])
@blp.response(200, WebhookListSchema)
def list_webhooks() -> dict[str, Any]:
    """The workspace's webhook endpoints."""
    require_owner()
    return {"items": [webhook_json(e) for e in services.list_endpoints(caller().workspace.id)]}


@blp.route("", methods=["POST"])
@blp.arguments(WebhookSchema)
@blp.response(201, CreatedWebhookSchema)
def create(data: dict[str, Any]) -> dict[str, Any]:
    """Register an endpoint; the answer carries its signing secret, shown only this once."""
    require_owner()
    try:
        endpoint, secret = services.create_endpoint(
            caller().workspace.id, data["url"], data["events"], data["description"]
        )
    except services.WebhookError as exc:
        db.session.rollback()
        raise Problem(422, str(exc)) from None
    db.session.commit()
    return {**webhook_json(endpoint), "secret": secret}


@blp.route("/<int:webhook_id>", methods=["GET"])
@blp.response(200, WebhookSchema)
def read(webhook_id: int) -> dict[str, Any]:
    """One endpoint."""
    require_owner()
    return webhook_json(services.get_endpoint(caller().workspace.id, webhook_id))


@blp.route("/<int:webhook_id>", methods=["DELETE"])
@blp.response(204)
def delete(webhook_id: int) -> Response:
    """Remove an endpoint with its delivery log."""
    require_owner()
    services.delete_endpoint(services.get_endpoint(caller().workspace.id, webhook_id))
    db.session.commit()
    return Response(status=204)


@blp.route("/<int:webhook_id>/test", methods=["POST"])
@blp.response(202, TestDeliverySchema)
def send_test(webhook_id: int) -> dict[str, Any]:
    """Queue a ``webhook.ping`` event to this endpoint."""
    require_owner()
    endpoint = services.get_endpoint(caller().workspace.id, webhook_id)
    try:
        delivery = services.send_test(endpoint)
    except services.WebhookError as exc:
        db.session.rollback()
        raise Problem(409, str(exc)) from None
    db.session.commit()
    return {"delivery_id": delivery.id, "status": delivery.status.value}
