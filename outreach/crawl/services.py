"""Crawl runs: starting, stopping, reading back, and turning found sites into prospects.

Every read is scoped to a workspace. Callers commit.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import func, select

from outreach.campaigns.models import Campaign
from outreach.crawl.contact_import import link_domain_contacts
from outreach.crawl.models import CrawlPage, CrawlRun, CrawlSite, CrawlStatus, Opportunity
from outreach.crawl.sitemaps import urls_in_text
from outreach.db import utcnow
from outreach.extensions import db
from outreach.prospects.models import Contact, Prospect, ProspectContact
from outreach.prospects.services import add_to_pipeline
from outreach.scoping import get_in_workspace
from outreach.urls import ensure_scheme

MAX_SEEDS = 10_000


class CrawlError(ValueError):
    """Crawl input that cannot be used, with a message for the user."""


def _sites(text: str) -> list[str]:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return list(dict.fromkeys(ensure_scheme(line.split()[0]) for line in lines))


def create_run(
    campaign: Campaign,
    *,
    sites: str = "",
    sitemaps: str = "",
    pages: str = "",
    max_depth: int = 2,
    max_pages_per_site: int = 50,
    check_broken_links: bool = True,
    find_contacts: bool = True,
) -> CrawlRun:
    """A queued crawl run of a campaign from the seeds typed or pasted by the user."""
    run = CrawlRun(
        workspace_id=campaign.workspace_id,
        campaign_id=campaign.id,
        site_seeds=_sites(sites)[:MAX_SEEDS],
        sitemap_seeds=_sites(sitemaps)[:MAX_SEEDS],
        page_seeds=urls_in_text(pages)[:MAX_SEEDS],
        max_depth=max(0, min(max_depth, 10)),
        max_pages_per_site=max(1, min(max_pages_per_site, 10_000)),
        check_broken_links=check_broken_links,
        find_contacts=find_contacts,
    )
    if not (run.site_seeds or run.sitemap_seeds or run.page_seeds):
        raise CrawlError("Give at least one site, sitemap or page URL to start from.")
    db.session.add(run)
    db.session.flush()
    return run


def get_run(workspace_id: int, run_id: int) -> CrawlRun:
    """One run of the workspace; 404 otherwise."""
    return get_in_workspace(CrawlRun, workspace_id, run_id)


def runs_of(workspace_id: int, campaign_id: int) -> list[CrawlRun]:
    """A campaign's runs, newest first."""
    return list(
        db.session.scalars(
            select(CrawlRun)
            .where(CrawlRun.workspace_id == workspace_id, CrawlRun.campaign_id == campaign_id)
            .order_by(CrawlRun.id.desc())
        )
    )


def request_stop(run: CrawlRun) -> bool:
    """Ask a run to stop: a queued run stops now, a running one at its next check."""
    if run.status is CrawlStatus.QUEUED:
        run.status, run.finished_at = CrawlStatus.STOPPED, utcnow()
        return True
    if run.status is CrawlStatus.RUNNING:
        run.status = CrawlStatus.STOPPING
        return True
    return False


def status_of(run: CrawlRun) -> dict[str, Any]:
    """The run's state and counters, as the progress box polls them."""
    return {
        "status": run.status.value,
        "active": run.status.active,
        "pages_fetched": run.pages_fetched,
        "pages_queued": run.pages_queued,
        "pages_failed": run.pages_failed,
        "opportunities_found": run.opportunities_found,
        "backlinks_found": run.backlinks_found,
        "contacts_found": run.contacts_found,
        "error": run.error,
    }


def opportunity_counts(run: CrawlRun) -> dict[str, int]:
    """How many opportunities of each kind the run found."""
    rows = db.session.execute(
        select(Opportunity.kind, func.count(Opportunity.id))
        .where(Opportunity.run_id == run.id, Opportunity.workspace_id == run.workspace_id)
        .group_by(Opportunity.kind)
    )
    return {kind.value: count for kind, count in rows}


def opportunities(run: CrawlRun, kind: str | None, limit: int = 500) -> list[Opportunity]:
    """The run's opportunities, optionally of one kind."""
    query = select(Opportunity).where(
        Opportunity.run_id == run.id, Opportunity.workspace_id == run.workspace_id
    )
    if kind:
        query = query.where(Opportunity.kind == kind)
    return list(db.session.scalars(query.order_by(Opportunity.domain, Opportunity.id).limit(limit)))


def pages(run: CrawlRun, failed_only: bool = False, limit: int = 500) -> list[CrawlPage]:
    """The run's pages, failures first when asked for them alone."""
    query = select(CrawlPage).where(
        CrawlPage.run_id == run.id, CrawlPage.workspace_id == run.workspace_id
    )
    if failed_only:
        query = query.where(CrawlPage.error_kind.is_not(None))
    return list(db.session.scalars(query.order_by(CrawlPage.id).limit(limit)))


def sites(run: CrawlRun, limit: int = 500) -> list[CrawlSite]:
    """The run's sites with what was found on each, most promising first."""
    return list(
        db.session.scalars(
            select(CrawlSite)
            .where(CrawlSite.run_id == run.id, CrawlSite.workspace_id == run.workspace_id)
            .order_by(CrawlSite.domain)
            .limit(limit)
        )
    )


def add_sites_to_pipeline(
    run: CrawlRun, campaign: Campaign, domains: Iterable[str], owner_id: int | None
) -> int:
    """Make prospects of found sites, with their opportunity types and contacts; returns new."""
    found = {s.domain: s for s in sites(run, limit=10_000)}
    wanted = [d for d in domains if d in found]
    added = add_to_pipeline(campaign, wanted, owner_id)
    for prospect in db.session.scalars(
        select(Prospect).where(Prospect.campaign_id == campaign.id, Prospect.domain.in_(wanted))
    ):
        kinds = set(prospect.opportunity_types or []) | set(
            found[prospect.domain].opportunity_types
        )
        prospect.opportunity_types = sorted(kinds)
    link_domain_contacts(campaign.workspace_id, campaign.id, wanted)
    return added


def recent_contacts(workspace_id: int, limit: int = 200) -> list[tuple[Contact, list[str]]]:
    """The workspace's latest contacts, each with the domains of the prospects it belongs to."""
    contacts = list(
        db.session.scalars(
            select(Contact)
            .where(Contact.workspace_id == workspace_id)
            .order_by(Contact.id.desc())
            .limit(limit)
        )
    )
    linked: dict[int, list[str]] = {}
    if contacts:
        rows = db.session.execute(
            select(ProspectContact.contact_id, Prospect.domain)
            .join(Prospect, Prospect.id == ProspectContact.prospect_id)
            .where(
                Prospect.workspace_id == workspace_id,
                ProspectContact.contact_id.in_([c.id for c in contacts]),
            )
        )
        for contact_id, domain in rows:
            linked.setdefault(contact_id, []).append(domain)
    return [(c, sorted(set(linked.get(c.id, [])))) for c in contacts]


def all_runs(workspace_id: int, limit: int = 200) -> list[tuple[CrawlRun, Campaign]]:
    """The workspace's runs with their campaigns, newest first."""
    rows = db.session.execute(
        select(CrawlRun, Campaign)
        .join(Campaign, Campaign.id == CrawlRun.campaign_id)
        .where(CrawlRun.workspace_id == workspace_id)
        .order_by(CrawlRun.id.desc())
        .limit(limit)
    )
    return [(run, campaign) for run, campaign in rows]
