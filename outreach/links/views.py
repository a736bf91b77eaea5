"""Placed links, their check timelines, and alerts (thin: validate, call a service, redirect)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from outreach.accounts.context import current_workspace, signed_in_user
from outreach.extensions import db
from outreach.links import services
from outreach.links.forms import DiscoverForm, PlacedLinkForm
from outreach.links.jobs import launch_discovery, queue_check
from outreach.links.models import LinkStatus
from outreach.prospects.services import get_prospect, prospect_choices, prospects_by_id
from outreach.web import parse_id, safe_next

bp = Blueprint("links", __name__, url_prefix="/links")


@bp.app_context_processor
def unread_alerts() -> dict[str, Any]:
    """``links_unread_alerts`` for the navigation bar."""
    workspace = g.get("workspace")
    if workspace is None or not current_user.is_authenticated:
        return {"links_unread_alerts": 0}
    return {"links_unread_alerts": services.unread_count(workspace.id)}


def _index_page(form: PlacedLinkForm, status_code: int = 200) -> tuple[str, int]:
    workspace = current_workspace()
    wanted = request.args.get("status")
    status = LinkStatus(wanted) if wanted in {s.value for s in LinkStatus} else None
    prospect_id = parse_id(request.args.get("prospect_id"))
    if prospect_id:
        form.prospect_id.data = get_prospect(workspace.id, prospect_id).id
    links = services.list_links(workspace.id, status, prospect_id)
    wanted_ids = {link.prospect_id for link in links if link.prospect_id}
    page = render_template(
        "links/index.html",
        links=links,
        prospects=prospects_by_id(workspace.id, wanted_ids),
        form=form,
        discover=DiscoverForm(),
        status=status,
        statuses=list(LinkStatus),
        counts=services.status_counts(workspace.id),
        prospect_id=prospect_id,
    )
    return page, status_code


@bp.get("/")
@login_required
def index() -> tuple[str, int]:
    """Every placed link of the workspace (or of one prospect), with the form to add one."""
    return _index_page(PlacedLinkForm(prospects=prospect_choices(current_workspace().id)))


@bp.post("/")
@login_required
def create() -> Response | tuple[str, int]:
    """Add a placed link and queue its first check."""
    workspace = current_workspace()
    form = PlacedLinkForm(prospects=prospect_choices(workspace.id))
    if not form.validate_on_submit():
        flash("Check the highlighted fields.", "error")
        return _index_page(form, 400)
    link = services.create_link(
        workspace.id,
        form.page_url.data or "",
        form.target_url.data or "",
        expected_anchor=form.expected_anchor.data,
        prospect_id=form.prospect_id.data or None,
    )
    queue_check(link, signed_in_user().id, f"Verify {link.page_url}")
    db.session.commit()
    flash("Link added; its first check is queued.", "success")
    return redirect(url_for(".show", link_id=link.id))


@bp.get("/<int:link_id>")
@login_required
def show(link_id: int) -> str:
    """One placed link with the timeline of its checks."""
    workspace = current_workspace()
    link = services.get_link(workspace.id, link_id)
    prospect = prospects_by_id(workspace.id, {link.prospect_id or 0}).get(link.prospect_id or 0)
    return render_template(
        "links/show.html", link=link, checks=services.checks_of(link), prospect=prospect
    )


@bp.post("/<int:link_id>/check")
@login_required
def check_now(link_id: int) -> Response:
    """Queue a fresh check of one placed link."""
    link = services.get_link(current_workspace().id, link_id)
    queue_check(link, signed_in_user().id, f"Check {link.page_url} now")
    db.session.commit()
    flash("Check queued.", "success")
    return redirect(url_for(".show", link_id=link.id))


@bp.post("/<int:link_id>/delete")
@login_required
def delete(link_id: int) -> Response:
    """Stop tracking a placed link."""
    link = services.get_link(current_workspace().id, link_id)
    services.delete_link(link)
    db.session.commit()
    flash("Link removed.", "success")
    return redirect(url_for(".index"))


@bp.post("/discover")
@login_required
def discover() -> Response:
    """Queue a search of a prospect's site for links to us."""
    workspace = current_workspace()
    form = DiscoverForm()
    if not form.validate_on_submit() or form.prospect_id.data is None:
        abort(400)
    prospect = get_prospect(workspace.id, form.prospect_id.data)
    launch_discovery(prospect, signed_in_user().id)
    db.session.commit()
    flash(f"Searching {prospect.domain} for links to us; see Jobs for progress.", "success")
    return redirect(url_for(".index", prospect_id=prospect.id))


@bp.get("/alerts")
@login_required
def alerts() -> str:
    """The workspace's alerts, unread first in count."""
    workspace = current_workspace()
    return render_template(
        "links/alerts.html",
        alerts=services.list_alerts(workspace.id),
        unread=services.unread_count(workspace.id),
        subscribed=services.is_subscribed(workspace.id, signed_in_user().id),
    )


@bp.post("/alerts/<int:alert_id>/read")
@login_required
def mark_read(alert_id: int) -> Response:
    """Mark one alert read."""
    services.mark_read(current_workspace().id, alert_id)
    db.session.commit()
    return redirect(safe_next(request.form.get("next"), url_for(".alerts")))


@bp.post("/alerts/read-all")
@login_required
def mark_all_read() -> Response:
    """Mark every alert read."""
    count = services.mark_all_read(current_workspace().id)
    db.session.commit()
    flash(f"{count} alert(s) marked read.", "success")
    return redirect(url_for(".alerts"))


@bp.post("/alerts/email")
@login_required
def email_preference() -> Response:
    """Turn the signed-in user's alert e-mails for this workspace on or off."""
    wanted = request.form.get("wanted") == "1"
    services.set_subscription(current_workspace().id, signed_in_user().id, wanted)
    db.session.commit()
    flash("Alert e-mails " + ("on." if wanted else "off."), "success")
    return redirect(url_for(".alerts"))
