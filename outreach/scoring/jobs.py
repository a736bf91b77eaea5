"""The rescoring job, and launching it whenever weights or data change."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from outreach.backlinks.jobs import import_finished
from outreach.backlinks.models import BacklinkImport
from outreach.campaigns.models import Campaign
from outreach.extensions import db
from outreach.jobs import tasks
from outreach.jobs.context import job_context, report_progress
from outreach.jobs.models import Task
from outreach.scoring.services import rescore


def _progress(done: int, total: int) -> None:
    report_progress(scored=done, total=total)


def rescore_campaign(campaign_id: int) -> dict[str, Any] | None:
    """Score every domain of one campaign again (idempotent: it rewrites the scores)."""
    with job_context():
        campaign = db.session.get(Campaign, campaign_id)
        if campaign is None:
            return None
        result = rescore(campaign, progress=_progress)
        db.session.commit()
        return {"scored": result.scored, "prospects": result.prospects}


def launch_rescore(campaign: Campaign, reason: str, user_id: int | None = None) -> Task:
    """Queue rescoring of a campaign (it starts once the caller commits)."""
    return tasks.launch(
        rescore_campaign,
        campaign.id,
        workspace_id=campaign.workspace_id,
        user_id=user_id,
        description=f"Rescore {campaign.name} ({reason})",
    )


def launch_workspace_rescore(
    workspace_id: int, reason: str, user_id: int | None = None
) -> list[Task]:
    """Queue rescoring of every live campaign of a workspace (after a blocklist change, an
    import, a ranked list: data every campaign reads)."""
    campaigns = db.session.scalars(
        select(Campaign).where(Campaign.workspace_id == workspace_id, Campaign.archived.is_(False))
    )
    return [launch_rescore(campaign, reason, user_id) for campaign in campaigns]


def pages_fetched(campaign_id: int) -> None:
    """For the page fetcher: a campaign's pages changed, so queue its rescoring. The caller
    commits."""
    campaign = db.session.get(Campaign, campaign_id)
    if campaign is not None:
        launch_rescore(campaign, "pages fetched")


@import_finished.connect
def _rescore_after_import(record: BacklinkImport, **_: Any) -> None:
    """An import finished: queue rescoring of its campaign (it starts after the commit)."""
    if record.campaign_id is None:
        return
    campaign = db.session.get(Campaign, record.campaign_id)
    if campaign is not None and not campaign.archived:
        launch_rescore(campaign, f"imported {record.filename}")
