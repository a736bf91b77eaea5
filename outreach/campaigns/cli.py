"""``flask campaign ...``."""

from __future__ import annotations

import json

import click
from flask.cli import AppGroup
from sqlalchemy import select

from outreach.accounts.models import Workspace
from outreach.campaigns import services
from outreach.campaigns.models import CampaignKind
from outreach.extensions import db

campaign = AppGroup("campaign", help="Create and list campaigns.")


def workspace_by_name(name: str) -> Workspace:
    """The workspace with this name (or id), or a clear CLI error."""
    query = select(Workspace).where(Workspace.name == name)
    if name.isdigit():
        query = select(Workspace).where(Workspace.id == int(name))
    found = list(db.session.scalars(query))
    if not found:
        raise click.ClickException(f"No workspace named {name!r}.")
    if len(found) > 1:
        raise click.ClickException(f"Several workspaces are named {name!r}: give its id instead.")
    return found[0]


@campaign.command("create")
@click.option("--workspace", "workspace_name", required=True, help="Workspace name or id.")
@click.option("--name", required=True)
@click.option("--site", default="", help="Our site's domain.")
@click.option("--competitor", "competitors", multiple=True, help="A competitor domain (repeat).")
@click.option(
    "--kind",
    type=click.Choice([k.value for k in CampaignKind]),
    default=CampaignKind.GUEST_POST.value,
)
@click.option("--topic", default="", help='Topic keywords, comma-separated: "kw1, kw2".')
@click.option(
    "--target-page", "target_pages", multiple=True, help="One of our target pages (repeat)."
)
@click.option("--json", "as_json", is_flag=True, help='Print {"id": N}.')
def create(
    workspace_name: str,
    name: str,
    site: str,
    competitors: tuple[str, ...],
    kind: str,
    topic: str,
    target_pages: tuple[str, ...],
    as_json: bool,
) -> None:
    """Create a campaign and print its id."""
    workspace = workspace_by_name(workspace_name)
    try:
        created = services.create_campaign(
            workspace.id,
            name,
            CampaignKind(kind),
            site or workspace.site_domain,
            competitors,
            target_pages=target_pages,
            topic_keywords=services.split_lines(topic),
        )
    except services.CampaignError as exc:
        raise click.ClickException(str(exc)) from exc
    db.session.commit()
    click.echo(json.dumps({"id": created.id}) if as_json else str(created.id))


@campaign.command("list")
@click.option("--workspace", "workspace_name", required=True, help="Workspace name or id.")
def list_campaigns(workspace_name: str) -> None:
    """List a workspace's campaigns."""
    workspace = workspace_by_name(workspace_name)
    for item in services.campaigns_of(workspace.id):
        competitors = ", ".join(c.domain for c in item.competitors)
        click.echo(f"{item.id}\t{item.name}\t{item.kind.value}\t{competitors}")
