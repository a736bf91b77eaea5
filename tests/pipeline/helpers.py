"""Builders of pipeline test data: prospects and teammates, committed."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import insert, select

from outreach.accounts import services as accounts
from outreach.accounts.models import Membership, Role, User, Workspace
from outreach.campaigns.models import Campaign
from outreach.extensions import db
from outreach.prospects.models import OpportunityKind, Prospect, Stage
from tests.factories import Factory


def prospect(
    campaign: Campaign,
    domain: str,
    stage: Stage = Stage.PROSPECT,
    *,
    owner: User | None = None,
    score: float | None = None,
    due_on: date | None = None,
    opportunity_types: list[str] | None = None,
    reminder: str | None = None,
) -> Prospect:
    """A prospect of the campaign, committed."""
    item = Prospect(
        workspace_id=campaign.workspace_id,
        campaign_id=campaign.id,
        domain=domain,
        stage=stage,
        owner_id=owner.id if owner else None,
        score=score,
        due_on=due_on,
        opportunity_types=opportunity_types or [],
        reminder=reminder,
    )
    db.session.add(item)
    db.session.commit()
    return item


def crawled_prospect(campaign: Campaign, domain: str, pages: dict[str, str]) -> Prospect:
    """A prospect the crawler found: its detectors read the HTML ``pages`` (URL -> HTML), its
    store writes what they found, and its "add to pipeline" makes the prospect, committed."""
    from outreach.crawl import opportunities, services
    from outreach.crawl.outcome import PageOutcome
    from outreach.crawl.store import CrawlStore
    from outreach.links.html import parse_page
    from outreach.urls import registrable_domain

    run = services.create_run(campaign, sites=domain)
    store = CrawlStore(run)
    rivals = {c.domain for c in campaign.competitors}
    for url, html in pages.items():
        page = parse_page(html, url, "text/html")
        found = [opportunities.resource_page(page, domain), opportunities.write_for_us(page)]
        store.add(
            PageOutcome(
                url=url,
                domain=domain,
                depth=0,
                final_url=url,
                status=200,
                title=page.title,
                outbound_links=len(page.links),
                target_links=[x for x in page.links if registrable_domain(x.href) in rivals],
                findings=[finding for finding in found if finding is not None],
            )
        )
    store.flush()
    services.add_sites_to_pipeline(run, campaign, [domain], owner_id=None)
    db.session.commit()
    found_prospect = db.session.scalar(
        select(Prospect).where(Prospect.campaign_id == campaign.id, Prospect.domain == domain)
    )
    assert found_prospect is not None
    return found_prospect


def teammate(
    workspace: Workspace, email: str = "mate@example.com", name: str = "Mia Teammate"
) -> User:
    """A member of the workspace, committed."""
    user = accounts.create_user(email, Factory.PASSWORD, name)
    db.session.add(Membership(workspace_id=workspace.id, user_id=user.id, role=Role.MEMBER))
    db.session.commit()
    return user


def current(prospect_id: int) -> Prospect:
    """The prospect as committed now (nothing cached)."""
    db.session.expire_all()
    found = db.session.get(Prospect, prospect_id)
    assert found is not None
    return found


def seed_many(campaign: Campaign, count: int, owner_ids: list[int], chunk: int = 5000) -> None:
    """Insert ``count`` varied prospects into the campaign quickly, with Core inserts."""
    from datetime import timedelta

    from outreach.db import utcnow

    stages = list(Stage)
    kinds = [kind.value for kind in OpportunityKind]
    today = utcnow().date()
    now = utcnow()
    for start in range(0, count, chunk):
        rows: list[dict[str, Any]] = [
            {
                "workspace_id": campaign.workspace_id,
                "campaign_id": campaign.id,
                "domain": f"site-{n:07d}.example",
                "stage": stages[n % len(stages)],
                "owner_id": owner_ids[n % len(owner_ids)] if owner_ids and n % 5 else None,
                "score": float((n * 37) % 100),
                "opportunity_types": [kinds[n % len(kinds)]],
                "due_on": today + timedelta(days=(n % 30) - 10) if n % 4 == 0 else None,
                "reminder": "follow up by hand" if n % 50 == 0 else None,
                "version": 1,
                "score_breakdown": {},
                "created_at": now,
                "updated_at": now,
            }
            for n in range(start, min(start + chunk, count))
        ]
        db.session.execute(insert(Prospect), rows)
    db.session.commit()
