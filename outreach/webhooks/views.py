"""Webhook settings (owners only): register, test, turn off, rotate, delete; delivery log."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import login_required
from werkzeug.wrappers import Response

from outreach.accounts.context import current_workspace, require_owner
from outreach.activity.events import EVENT_TYPES
from outreach.activity.services import record
from outreach.extensions import db
from outreach.webhooks import services
from outreach.webhooks.forms import ActionForm, EndpointForm
from outreach.webhooks.models import WebhookEndpoint

bp = Blueprint("webhooks", __name__, url_prefix="/workspace/webhooks")


def _owned(webhook_id: int) -> WebhookEndpoint:
    require_owner()
    return services.get_endpoint(current_workspace().id, webhook_id)


def _log(endpoint: WebhookEndpoint, action: str) -> None:
    record(endpoint.workspace_id, "webhook", endpoint.id, action, {"url": endpoint.url})


@bp.route("/", methods=["GET", "POST"])
@login_required
def index() -> str | tuple[str, int] | Response:
    """The workspace's endpoints, the form to add one, and the latest deliveries."""
    require_owner()
    workspace = current_workspace()
    form = EndpointForm()
    if form.validate_on_submit():
        try:
            endpoint, _ = services.create_endpoint(
                workspace.id,
                form.url.data or "",
                form.events.data or [],
                form.description.data or "",
            )
        except services.WebhookError as exc:
            form.url.errors = [*form.url.errors, str(exc)]
        else:
            _log(endpoint, "webhook_created")
            db.session.commit()
            flash("Webhook added. Copy its signing secret below.", "success")
            return redirect(url_for(".show", webhook_id=endpoint.id))
    deliveries = services.recent_deliveries(workspace.id)
    page = render_template(
        "webhooks/index.html",
        form=form,
        endpoints=services.list_endpoints(workspace.id),
        deliveries=deliveries,
        event_types=EVENT_TYPES,
    )
    return (page, 422) if form.errors else page


@bp.get("/<int:webhook_id>")
@login_required
def show(webhook_id: int) -> str:
    """One endpoint: its secret, its events and its deliveries with every attempt."""
    endpoint = _owned(webhook_id)
    deliveries = services.recent_deliveries(endpoint.workspace_id, endpoint.id, limit=50)
    return render_template(
        "webhooks/show.html",
        endpoint=endpoint,
        secret=services.secret_of(endpoint),
        deliveries=deliveries,
        attempts=services.attempts_of([d.id for d in deliveries]),
        action=ActionForm(),
    )


@bp.post("/<int:webhook_id>/test")
@login_required
def test(webhook_id: int) -> Response:
    """Send a ``webhook.ping`` event to the endpoint."""
    endpoint = _owned(webhook_id)
    try:
        services.send_test(endpoint)
    except services.WebhookError as exc:
        flash(str(exc), "error")
    else:
        db.session.commit()
        flash("Test event queued: its delivery shows below in a moment.", "success")
    return redirect(url_for(".show", webhook_id=endpoint.id))


@bp.post("/<int:webhook_id>/enable")
@login_required
def enable(webhook_id: int) -> Response:
    """Turn deliveries back on (events from now on)."""
    endpoint = _owned(webhook_id)
    services.set_enabled(endpoint, True)
    _log(endpoint, "webhook_enabled")
    db.session.commit()
    flash("Webhook turned on.", "success")
    return redirect(url_for(".show", webhook_id=endpoint.id))


@bp.post("/<int:webhook_id>/disable")
@login_required
def disable(webhook_id: int) -> Response:
    """Stop deliveries, including retries still owed."""
    endpoint = _owned(webhook_id)
    services.set_enabled(endpoint, False)
    _log(endpoint, "webhook_disabled")
    db.session.commit()
    flash("Webhook turned off: nothing more is sent to it.", "success")
    return redirect(url_for(".show", webhook_id=endpoint.id))


@bp.post("/<int:webhook_id>/rotate")
@login_required
def rotate(webhook_id: int) -> Response:
    """Replace the signing secret (the old one stops working at once)."""
    endpoint = _owned(webhook_id)
    services.rotate_secret(endpoint)
    _log(endpoint, "webhook_secret_rotated")
    db.session.commit()
    flash("New signing secret made: update your receiver.", "success")
    return redirect(url_for(".show", webhook_id=endpoint.id))


@bp.post("/<int:webhook_id>/delete")
@login_required
def delete(webhook_id: int) -> Response:
    """Remove the endpoint and its delivery log."""
    endpoint = _owned(webhook_id)
    _log(endpoint, "webhook_deleted")
    services.delete_endpoint(endpoint)
    db.session.commit()
    flash("Webhook deleted.", "success")
    return redirect(url_for(".index"))
