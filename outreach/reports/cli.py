"""``flask report WORKSPACE --month YYYY-MM [--campaign ID] --json``."""

from __future__ import annotations

import json

import click
from flask.cli import with_appcontext
from sqlalchemy import select

from outreach.accounts.models import Workspace
from outreach.campaigns.models import Campaign
from outreach.extensions import db
from outreach.reports.periods import BadMonth, month_label, parse_month
from outreach.reports.report import monthly_json
from outreach.reports.scope import scope_for
from outreach.web import parse_id


def find_workspace(name_or_id: str) -> Workspace:
    """A workspace by its exact name, else by its id; a click error when neither matches."""
    named = list(db.session.scalars(select(Workspace).where(Workspace.name == name_or_id)))
    if len(named) > 1:
        raise click.ClickException(f"{len(named)} workspaces are named {name_or_id!r}: use the id.")
    if named:
        return named[0]
    number = parse_id(name_or_id)
    found = db.session.get(Workspace, number) if number else None
    if found is None:
        raise click.ClickException(f"No workspace named or numbered {name_or_id!r}.")
    return found


@click.command("report")
@click.argument("workspace")
@click.option("--month", required=True, help="The month reported, YYYY-MM.")
@click.option("--campaign", "campaign_id", type=int, help="Only this campaign of the workspace.")
@click.option("--json", "as_json", is_flag=True, help="Print the report as one JSON object.")
@with_appcontext
def report(workspace: str, month: str, campaign_id: int | None, as_json: bool) -> None:
    """Referring domains, authority, competitor gap and funnel of a workspace for a month."""
    space = find_workspace(workspace)
    try:
        first_day = parse_month(month)
    except BadMonth as exc:
        raise click.BadParameter(str(exc), param_hint="--month") from exc
    campaign = None
    if campaign_id is not None:
        campaign = db.session.get(Campaign, campaign_id)
        if campaign is None or campaign.workspace_id != space.id:
            raise click.ClickException(f"No campaign {campaign_id} in workspace {space.name!r}.")
    data = monthly_json(scope_for(space, campaign), first_day)
    if as_json:
        click.echo(json.dumps(data))
        return
    domains, gap = data["referring_domains"], data["gap"]
    click.echo(f"{space.name}, {month_label(first_day)}")
    click.echo(
        f"Referring domains: {domains['live']} live, {domains['new']} new, "
        f"{domains['lost']} lost (target {domains['target']})"
    )
    click.echo(f"Velocity: {gap['velocity']:.1f} domains a month")
    months = gap["months_to_close"]
    click.echo(
        f"Gap: competitors average {gap['competitor_average']:.1f}, we have {gap['ours']}; "
        f"{gap['to_close']:.1f} to close"
        + (f" in {months} months" if months is not None else " (not at this velocity)")
    )
    funnel = data["funnel"]
    click.echo("Funnel: " + ", ".join(f"{k} {v}" for k, v in funnel.items()))
