"""Campaign pages: list, create and edit (the overview is a pipeline page)."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import login_required
from werkzeug.wrappers import Response

from outreach.accounts.context import current_workspace
from outreach.activity.services import record
from outreach.campaigns import services
from outreach.campaigns.forms import CampaignForm
from outreach.campaigns.models import Campaign, CampaignKind
from outreach.extensions import db

bp = Blueprint("campaigns", __name__, url_prefix="/campaigns")


@bp.get("/")
@login_required
def index() -> str:
    """Every campaign of the workspace."""
    workspace = current_workspace()
    return render_template("campaigns/index.html", campaigns=services.campaigns_of(workspace.id))


def _apply(form: CampaignForm, campaign: Campaign) -> None:
    campaign.name = (form.name.data or "").strip()
    campaign.kind = CampaignKind(form.kind.data)
    site = form.site_domain.data or ""
    campaign.site_domain = services.clean_domain(site) if site.strip() else ""
    campaign.target_pages = services.clean_target_pages(services.split_urls(form.target_pages.data))
    campaign.topic_keywords = services.clean_keywords(
        services.split_lines(form.topic_keywords.data)
    )
    campaign.monthly_link_target = form.monthly_link_target.data or 0
    services.set_competitors(campaign, services.split_lines(form.competitors.data))


@bp.route("/new", methods=["GET", "POST"])
@login_required
def new() -> str | Response:
    """Create a campaign."""
    workspace = current_workspace()
    form = CampaignForm()
    if request.method == "GET":
        form.site_domain.data = workspace.site_domain
    if form.validate_on_submit():
        try:
            campaign = services.create_campaign(
                workspace.id,
                form.name.data or "",
                CampaignKind(form.kind.data),
                form.site_domain.data or "",
                services.split_lines(form.competitors.data),
                services.split_urls(form.target_pages.data),
                services.split_lines(form.topic_keywords.data),
                form.monthly_link_target.data or 0,
            )
        except services.CampaignError as exc:
            db.session.rollback()
            flash(str(exc), "error")
        else:
            record(workspace.id, "campaign", campaign.id, "created", {"name": campaign.name})
            db.session.commit()
            flash(f"Campaign {campaign.name} created.", "success")
            return redirect(url_for("pipeline.campaign", campaign_id=campaign.id))
    return render_template("campaigns/form.html", form=form, campaign=None)


@bp.route("/<int:campaign_id>/edit", methods=["GET", "POST"])
@login_required
def edit(campaign_id: int) -> str | Response:
    """Change a campaign's settings and competitors."""
    workspace = current_workspace()
    campaign = services.get_campaign(workspace.id, campaign_id)
    form = CampaignForm(obj=campaign)
    if request.method == "GET":
        form.kind.data = campaign.kind.value
        form.competitors.data = "\n".join(c.domain for c in campaign.competitors)
        form.target_pages.data = "\n".join(campaign.target_pages)
        form.topic_keywords.data = ", ".join(campaign.topic_keywords)
    if form.validate_on_submit():
        topic, targets = list(campaign.topic_keywords), list(campaign.target_pages)
        try:
            _apply(form, campaign)
        except services.CampaignError as exc:
            db.session.rollback()
            flash(str(exc), "error")
        else:
            record(workspace.id, "campaign", campaign.id, "edited", {})
            if (topic, targets) != (campaign.topic_keywords, campaign.target_pages):
                changed = targets != campaign.target_pages
                services.topic_changed.send(campaign, targets_changed=changed)
            db.session.commit()
            flash("Campaign saved.", "success")
            return redirect(url_for("pipeline.campaign", campaign_id=campaign.id))
    return render_template("campaigns/form.html", form=form, campaign=campaign)
