"""The campaign's scoring page (weights, rescoring) and the workspace blocklist."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, url_for
from flask_login import login_required
from sqlalchemy import func, select
from werkzeug.wrappers import Response

from outreach.accounts.context import current_workspace, signed_in_user
from outreach.campaigns.services import get_campaign
from outreach.extensions import db
from outreach.jobs import uploads
from outreach.scoring import blocklist
from outreach.scoring.combine import LABELS, RISK_CAP
from outreach.scoring.forms import BlocklistForm, RankedListForm, RescoreForm, WeightsForm
from outreach.scoring.jobs import (
    launch_ranked_import,
    launch_rescore,
    launch_workspace_rescore,
)
from outreach.scoring.jobs_fetch import launch_fetch
from outreach.scoring.models import DEFAULT_WEIGHTS, RankedDomain, RankedList
from outreach.scoring.services import set_weights, weights_for

bp = Blueprint("scoring", __name__)


@bp.route("/campaigns/<int:campaign_id>/scoring", methods=["GET", "POST"])
@login_required
def weights(campaign_id: int) -> str | Response:
    """Edit how much each signal counts in the campaign's score; saving rescores."""
    campaign = get_campaign(current_workspace().id, campaign_id)
    form = WeightsForm(data=weights_for(campaign.id))
    if form.validate_on_submit():
        set_weights(campaign.id, {name: getattr(form, name).data for name in DEFAULT_WEIGHTS})
        launch_rescore(campaign, "weights changed", signed_in_user().id, links_changed=False)
        db.session.commit()
        flash("Weights saved; the campaign is being rescored.", "success")
        return redirect(url_for(".weights", campaign_id=campaign.id))
    return render_template(
        "scoring/weights.html",
        campaign=campaign,
        form=form,
        rescore_form=RescoreForm(),
        defaults=DEFAULT_WEIGHTS,
        labels=LABELS,
        risk_cap=RISK_CAP,
    )


@bp.post("/campaigns/<int:campaign_id>/rescore")
@login_required
def rescore_now(campaign_id: int) -> Response:
    """Queue rescoring of the campaign."""
    campaign = get_campaign(current_workspace().id, campaign_id)
    if RescoreForm().validate_on_submit():
        launch_rescore(campaign, "asked for", signed_in_user().id)
        db.session.commit()
        flash("Rescoring queued.", "success")
    return redirect(url_for(".weights", campaign_id=campaign.id))


@bp.post("/campaigns/<int:campaign_id>/fetch-pages")
@login_required
def fetch_pages(campaign_id: int) -> Response:
    """Queue fetching the campaign's linking and target pages (rescoring follows)."""
    campaign = get_campaign(current_workspace().id, campaign_id)
    if RescoreForm().validate_on_submit():
        launch_fetch(campaign, signed_in_user().id)
        db.session.commit()
        flash("Fetching the linking and target pages; the campaign is rescored after.", "success")
    return redirect(url_for(".weights", campaign_id=campaign.id))


@bp.route("/blocklist", methods=["GET", "POST"])
@login_required
def blocklist_page() -> str | Response:
    """The workspace's blocked domains and TLDs; a change rescores every campaign."""
    workspace = current_workspace()
    form = BlocklistForm()
    if form.validate_on_submit():
        try:
            changed = blocklist.replace(workspace.id, form.entries.data or "")
        except blocklist.BlocklistError as exc:
            db.session.rollback()
            flash(str(exc), "error")
        else:
            if changed:
                launch_workspace_rescore(
                    workspace.id, "blocklist changed", signed_in_user().id, links_changed=False
                )
            db.session.commit()
            flash(
                "Blocklist saved; campaigns are being rescored." if changed else "No change.",
                "success" if changed else "info",
            )
            return redirect(url_for(".blocklist_page"))
    elif not form.is_submitted():
        form.entries.data = blocklist.as_text(workspace.id)
    return render_template("scoring/blocklist.html", form=form, risk_cap=RISK_CAP)


@bp.route("/ranked-lists", methods=["GET", "POST"])
@login_required
def ranked_lists() -> str | Response:
    """Upload a ranked list of domains (Tranco, Majestic Million, Open PageRank): a source of
    authority for domains no backlink export rates."""
    workspace = current_workspace()
    form = RankedListForm()
    if form.validate_on_submit():
        stream = form.file.data.stream
        path = uploads.store_upload(stream, current_app.instance_path, workspace.id, ".ranks")
        launch_ranked_import(workspace.id, path, signed_in_user().id)
        db.session.commit()
        flash("The list is being loaded; campaigns are rescored after it.", "success")
        return redirect(url_for(".ranked_lists"))
    counts = {
        listed: count
        for listed, count in db.session.execute(
            select(RankedDomain.list_name, func.count())
            .where(RankedDomain.workspace_id == workspace.id)
            .group_by(RankedDomain.list_name)
        )
    }
    return render_template(
        "scoring/ranked_lists.html", form=form, lists=list(RankedList), counts=counts
    )
