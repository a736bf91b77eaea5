"""``flask score CAMPAIGN_ID [--fetch] [--json]`` and ``flask import-ranks WORKSPACE FILE``."""

from __future__ import annotations

import json
from pathlib import Path

import click
from flask.cli import with_appcontext
from sqlalchemy import select

from outreach.accounts.models import Workspace
from outreach.campaigns.models import Campaign
from outreach.extensions import db
from outreach.scoring.jobs import launch_workspace_rescore
from outreach.scoring.ranked import RankedListError, load_ranked_list
from outreach.scoring.services import rescore
from outreach.scoring.sources import fetch_pages_for_campaign


@click.command("score")
@click.argument("campaign_id", type=int)
@click.option("--fetch", is_flag=True, help="Fetch the linking and target pages first.")
@click.option("--json", "as_json", is_flag=True, help='Print {"scored", "fetched", "failed"}.')
@with_appcontext
def score(campaign_id: int, fetch: bool, as_json: bool) -> None:
    """Rescore every domain of a campaign's intersect and pipeline now."""
    campaign = db.session.get(Campaign, campaign_id)
    if campaign is None:
        raise click.ClickException(f"No campaign with id {campaign_id}.")
    fetched = failed = 0
    if fetch:
        counts = fetch_pages_for_campaign(campaign.id)
        db.session.commit()
        fetched, failed = counts.fetched, counts.failed
    result = rescore(campaign)
    db.session.commit()
    if as_json:
        click.echo(json.dumps({"scored": result.scored, "fetched": fetched, "failed": failed}))
        return
    click.echo(
        f"Scored {result.scored} domain(s) of {campaign.name}"
        + (f"; fetched {fetched} page(s), {failed} failed." if fetch else ".")
    )


def _workspace(name_or_id: str) -> Workspace:
    named = list(db.session.scalars(select(Workspace).where(Workspace.name == name_or_id)))
    if len(named) == 1:
        return named[0]
    found = db.session.get(Workspace, int(name_or_id)) if name_or_id.isdigit() else None
    if found is None:
        raise click.ClickException(f"No single workspace named or numbered {name_or_id!r}.")
    return found


@click.command("import-ranks")
@click.argument("workspace")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help='Print {"list", "domains"}.')
@with_appcontext
def import_ranks(workspace: str, path: Path, as_json: bool) -> None:
    """Load a Tranco, Majestic Million or Open PageRank CSV for a workspace's authority."""
    space = _workspace(workspace)
    try:
        listed, count = load_ranked_list(space.id, path)
    except RankedListError as exc:
        raise click.ClickException(str(exc)) from exc
    launch_workspace_rescore(space.id, f"{listed.label} imported", links_changed=False)
    db.session.commit()
    if as_json:
        click.echo(json.dumps({"list": listed.value, "domains": count}))
        return
    click.echo(f"Loaded {count:,} domains of {listed.label}; campaigns are being rescored.")
