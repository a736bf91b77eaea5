"""The rescoring job, and launching it whenever weights or data change."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import select

from outreach.backlinks.jobs import import_finished
from outreach.backlinks.models import BacklinkImport
from outreach.campaigns.models import Campaign
from outreach.campaigns.services import topic_changed
from outreach.extensions import db
from outreach.jobs import tasks
from outreach.jobs.context import job_context, report_progress
from outreach.jobs.models import Task
from outreach.scoring.jobs_fetch import launch_fetch
from outreach.scoring.ranked import load_ranked_list
from outreach.scoring.services import rescore
from outreach.scoring.signals import pages_fetched


def _progress(done: int, total: int) -> None:
    report_progress(scored=done, total=total)


def rescore_campaign(campaign_id: int, refresh_rank: bool = True) -> dict[str, Any] | None:
    """Score every domain of one campaign again (idempotent: it rewrites the scores);
    ``refresh_rank`` recomputes Outreach's PageRank first, needed only when links changed."""
    with job_context():
        campaign = db.session.get(Campaign, campaign_id)
        if campaign is None:
            return None
        result = rescore(campaign, refresh_rank=refresh_rank, progress=_progress)
        db.session.commit()
        return {"scored": result.scored, "prospects": result.prospects}


def launch_rescore(
    campaign: Campaign, reason: str, user_id: int | None = None, *, links_changed: bool = True
) -> Task:
    """Queue rescoring of a campaign (it starts once the caller commits)."""
    return tasks.launch(
        rescore_campaign,
        campaign.id,
        links_changed,
        workspace_id=campaign.workspace_id,
        user_id=user_id,
        description=f"Rescore {campaign.name} ({reason})",
    )


def launch_workspace_rescore(
    workspace_id: int, reason: str, user_id: int | None = None, *, links_changed: bool = True
) -> list[Task]:
    """Queue rescoring of every live campaign of a workspace (after a blocklist change, an
    import, a ranked list: data every campaign reads)."""
    campaigns = db.session.scalars(
        select(Campaign).where(Campaign.workspace_id == workspace_id, Campaign.archived.is_(False))
    )
    return [
        launch_rescore(campaign, reason, user_id, links_changed=links_changed)
        for campaign in campaigns
    ]


@pages_fetched.connect
def _rescore_after_fetch(campaign_id: int, **_: Any) -> None:
    """A fetch of the campaign's pages finished: queue its rescoring (after the commit)."""
    campaign = db.session.get(Campaign, campaign_id)
    if campaign is not None:
        launch_rescore(campaign, "pages fetched", links_changed=False)


@topic_changed.connect
def _refresh_after_topic_change(
    campaign: Campaign, targets_changed: bool = False, **_: Any
) -> None:
    """A campaign's topic or target pages were edited: fetch the target pages when they
    changed (rescoring follows the fetch), else rescore now (after the commit)."""
    if targets_changed:
        launch_fetch(campaign, None, targets_only=True)
    else:
        launch_rescore(campaign, "topic changed", links_changed=False)


@import_finished.connect
def _rescore_after_import(record: BacklinkImport, **_: Any) -> None:
    """An import finished: queue rescoring of its campaign (it starts after the commit)."""
    if record.campaign_id is None:
        return
    campaign = db.session.get(Campaign, record.campaign_id)
    if campaign is not None and not campaign.archived:
        launch_rescore(campaign, f"imported {record.filename}")


def import_ranked_list(workspace_id: int, path: str) -> dict[str, Any]:
    """Load an uploaded ranked list, then queue rescoring of the workspace's campaigns."""
    with job_context():
        try:
            listed, count = load_ranked_list(workspace_id, Path(path))
        finally:
            Path(path).unlink(missing_ok=True)
        report_progress(domains=count)
        launch_workspace_rescore(workspace_id, f"{listed.label} imported", links_changed=False)
        db.session.commit()
        return {"list": listed.value, "domains": count}


def launch_ranked_import(workspace_id: int, path: Path, user_id: int | None) -> Task:
    """Queue the load of a stored ranked-list upload (it starts once the caller commits)."""
    return tasks.launch(
        import_ranked_list,
        workspace_id,
        str(path),
        workspace_id=workspace_id,
        user_id=user_id,
        description="Import a ranked list of domains",
    )
