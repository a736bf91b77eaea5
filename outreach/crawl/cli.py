"""``flask crawl start|status``: crawls from the command line, queued or run in place."""

from __future__ import annotations

import json

import click
from flask.cli import with_appcontext
from sqlalchemy import select

from outreach.campaigns.models import Campaign
from outreach.crawl import services
from outreach.crawl.jobs import launch_crawl, run_crawl
from outreach.crawl.models import CrawlRun
from outreach.extensions import db


@click.group("crawl")
def crawl() -> None:
    """Discovery crawls of a campaign."""


@crawl.command("start")
@click.option("--campaign", "campaign_id", required=True, type=int, help="Campaign id.")
@click.option("--site", "sites", multiple=True, help="A site to crawl (repeatable).")
@click.option("--sitemap", "sitemaps", multiple=True, help="A sitemap URL (repeatable).")
@click.option("--page", "pages", multiple=True, help="A single page (repeatable).")
@click.option("--depth", default=2, show_default=True, help="Link depth from each start page.")
@click.option("--pages-per-site", default=50, show_default=True, help="Pages per site at most.")
@click.option("--no-broken-links", is_flag=True, help="Skip checking outbound links.")
@click.option("--no-contacts", is_flag=True, help="Skip contact discovery.")
@click.option("--now", is_flag=True, help="Crawl in this process instead of queueing a job.")
@with_appcontext
def start(
    campaign_id: int,
    sites: tuple[str, ...],
    sitemaps: tuple[str, ...],
    pages: tuple[str, ...],
    depth: int,
    pages_per_site: int,
    no_broken_links: bool,
    no_contacts: bool,
    now: bool,
) -> None:
    """Start a crawl of a campaign; prints the run's id and, with --now, its result."""
    campaign = db.session.scalar(select(Campaign).where(Campaign.id == campaign_id))
    if campaign is None:
        raise click.ClickException(f"No campaign with id {campaign_id}.")
    try:
        run = services.create_run(
            campaign,
            sites="\n".join(sites),
            sitemaps="\n".join(sitemaps),
            pages="\n".join(pages),
            max_depth=depth,
            max_pages_per_site=pages_per_site,
            check_broken_links=not no_broken_links,
            find_contacts=not no_contacts,
        )
    except services.CrawlError as exc:
        raise click.ClickException(str(exc)) from exc
    if not now:
        launch_crawl(run, None)
    db.session.commit()
    run_id = run.id
    if now:
        run_crawl(run_id)
    fresh = db.session.get(CrawlRun, run_id)
    assert fresh is not None
    click.echo(json.dumps({"id": run_id, **services.status_of(fresh)}))


@crawl.command("status")
@click.argument("run_id", type=int)
@with_appcontext
def status(run_id: int) -> None:
    """Print a run's state and counters as JSON."""
    run = db.session.get(CrawlRun, run_id)
    if run is None:
        raise click.ClickException(f"No crawl with id {run_id}.")
    click.echo(json.dumps({"id": run.id, **services.status_of(run)}))


COMMANDS: list[click.Command] = [crawl]
