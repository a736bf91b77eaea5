"""Deleting a campaign: the confirmation page, then the deletion (workspace owners)."""

from __future__ import annotations

from flask import flash, redirect, url_for
from flask_login import login_required
from werkzeug.wrappers import Response

from outreach.accounts.context import current_workspace, require_owner, signed_in_user
from outreach.campaigns.services import get_campaign
from outreach.extensions import db
from outreach.pipeline import deletion
from outreach.pipeline.views.blueprint import bp
from outreach.pitches.deletion import DeletionRefused
from outreach.pitches.views.deletion import confirm_page, confirmed, refused


@bp.route("/campaigns/<int:campaign_id>/delete", methods=["GET", "POST"])
@login_required
def delete_campaign(campaign_id: int) -> str | Response:
    """Delete a campaign with its prospects, outbox, imports and crawls (workspace owners)."""
    campaign = get_campaign(current_workspace().id, campaign_id)
    require_owner()
    back = url_for("campaigns.edit", campaign_id=campaign.id)
    if not confirmed():
        return confirm_page("campaign", campaign.name, deletion.campaign_impact(campaign), back)
    try:
        deletion.delete_campaign(campaign, signed_in_user().id)
    except DeletionRefused as exc:
        return refused(exc, back)
    db.session.commit()
    flash("Campaign deleted.", "success")
    return redirect(url_for("campaigns.index"))
