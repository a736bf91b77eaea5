"""``flask score CAMPAIGN_ID [--fetch] [--json]`` and ``flask import-ranks FILE``."""

from __future__ import annotations

import json

import click
from flask.cli import with_appcontext

from outreach.campaigns.models import Campaign
from outreach.extensions import db
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
