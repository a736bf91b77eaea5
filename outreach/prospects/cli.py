"""``flask prospects CAMPAIGN_ID``."""

from __future__ import annotations

import json

import click
from flask.cli import with_appcontext

from outreach.campaigns.models import Campaign
from outreach.extensions import db
from outreach.prospects.intersect import SORTS, all_prospects
from outreach.prospects.intersect_rows import IntersectQuery


@click.command("prospects")
@click.argument("campaign_id", type=int)
@click.option("--min-competitors", "-k", default=1, show_default=True, type=int)
@click.option("--follow-only", is_flag=True, help="Only followed links count.")
@click.option("--sort", type=click.Choice(list(SORTS)), default="score", show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array.")
@with_appcontext
def prospects(
    campaign_id: int, min_competitors: int, follow_only: bool, sort: str, as_json: bool
) -> None:
    """The campaign's link intersect, best first."""
    campaign = db.session.get(Campaign, campaign_id)
    if campaign is None:
        raise click.ClickException(f"No campaign with id {campaign_id}.")
    query = IntersectQuery(min_competitors=min_competitors, follow_only=follow_only, sort=sort)
    rows = all_prospects(campaign, query)
    if as_json:
        click.echo(json.dumps([row.as_json() for row in rows]))
        return
    for row in rows:
        authority = f"{row.authority:.0f}" if row.authority is not None else "-"
        if row.authority_level == "page":
            authority += " (page-level)"
        click.echo(
            f"{row.domain}\t{row.competitor_count}\t{authority}\t{', '.join(row.competitors)}"
        )
