"""A campaign's overview page: settings, competitors, how many prospects sit in each stage."""

from __future__ import annotations

from flask import render_template
from flask_login import login_required

from outreach.accounts.context import current_workspace
from outreach.campaigns.services import get_campaign
from outreach.pipeline.next_step import next_step
from outreach.pipeline.views.blueprint import bp
from outreach.prospects.models import Stage
from outreach.prospects.stages import stage_counts


@bp.get("/campaigns/<int:campaign_id>")
@login_required
def campaign(campaign_id: int) -> str:
    """A campaign's overview: its next step, competitors, pipeline counts."""
    workspace = current_workspace()
    item = get_campaign(workspace.id, campaign_id)
    counts = stage_counts(workspace.id, item.id)
    return render_template(
        "campaigns/show.html",
        campaign=item,
        counts=counts,
        stages=list(Stage),
        next_step=next_step(item),
    )
