"""``flask seed-demo``: a living demo workspace, so a newcomer sees the app at work."""

from __future__ import annotations

import random
from datetime import timedelta

import click
from flask.cli import with_appcontext
from sqlalchemy import select

from outreach.accounts import services as accounts
from outreach.accounts.models import User, Workspace
from outreach.activity.services import record
from outreach.backlinks.models import Backlink, DataSource
from outreach.backlinks.records import link_key
from outreach.backlinks.summary import refresh_targets
from outreach.campaigns.models import CampaignKind
from outreach.campaigns.services import create_campaign
from outreach.db import utcnow
from outreach.extensions import db
from outreach.links.models import LinkCheck, LinkStatus, PlacedLink
from outreach.pitches.library import templates_of
from outreach.pitches.models import SequenceStep
from outreach.prospects.models import Contact, Prospect, ProspectContact, Stage

DEMO_EMAIL = "demo@example.com"
DEMO_PASSWORD = "outreach-demo"
DEMO_WORKSPACE = "Trailhead Outdoor (demo)"

SOURCES = [
    "hikingproject.org",
    "backpacker-weekly.com",
    "trailrunnermag.co.uk",
    "gearjunkie.net",
    "outdoorbloggers.io",
    "mountainhub.de",
    "campfirestories.blog",
    "alpineclub.org.uk",
    "ultralightlife.com",
    "naturewriters.net",
    "peakbagger.info",
    "riverguides.org",
    "summitpost.co",
    "wildernessed.org",
    "familyhikes.com",
    "gearreview.academy",
    "scoutleaders.org",
    "thruhikers.community",
    "climbingdaily.com",
    "nationalparksfan.net",
]
COMPETITORS = ["rei.com", "backcountry.com", "moosejaw.com"]


def seed(owner: User) -> Workspace:
    """Create the demo workspace for ``owner`` and fill it."""
    rng = random.Random(7)
    now = utcnow()
    workspace = accounts.create_workspace(owner, DEMO_WORKSPACE, "trailhead-outdoor.com")
    workspace.brand_names = ["Trailhead Outdoor", "Trailhead"]
    guides = create_campaign(
        workspace.id,
        "Hiking checklist guest posts",
        CampaignKind.GUEST_POST,
        "trailhead-outdoor.com",
        COMPETITORS,
        ["https://trailhead-outdoor.com/guides/hiking-checklist"],
        ["hiking", "backpacking"],
        8,
    )
    create_campaign(
        workspace.id,
        "Broken links on gear pages",
        CampaignKind.BROKEN_LINK,
        "trailhead-outdoor.com",
        COMPETITORS[:2],
        ["https://trailhead-outdoor.com/gear"],
        ["gear"],
        4,
    )
    # The workspace starts with the starter templates: the pitch, then two follow-ups.
    by_name = {template.name: template for template in templates_of(workspace.id)}
    steps = [by_name["Guest post pitch"], by_name["Follow-up"], by_name["Follow-up"]]
    for position, delay in enumerate((0, 3, 5)):
        db.session.add(
            SequenceStep(
                campaign_id=guides.id,
                position=position,
                template_id=steps[position].id,
                delay_business_days=delay,
            )
        )
    for index, source in enumerate(SOURCES):
        authority = float(rng.randint(18, 88))
        for competitor in rng.sample(COMPETITORS, rng.randint(1, 3)):
            slug = rng.choice(["best-trails", "gear-guide", "resources"])
            page = f"https://{source}/articles/{slug}"
            target = f"https://{competitor}/"
            db.session.add(
                Backlink(
                    workspace_id=workspace.id,
                    data_source=DataSource.AHREFS,
                    link_key=link_key(page, target),
                    source_url=page,
                    source_domain=source,
                    target_url=target,
                    target_domain=competitor,
                    anchor=competitor.split(".")[0],
                    nofollow=rng.random() < 0.2,
                    authority=authority,
                    first_seen=now - timedelta(days=rng.randint(30, 400)),
                    last_seen=now,
                )
            )
        stage = list(Stage)[index % len(Stage)]
        prospect = Prospect(
            workspace_id=workspace.id,
            campaign_id=guides.id,
            domain=source,
            stage=stage,
            owner_id=owner.id,
            score=round(authority * 0.8 + rng.random() * 10, 1),
            page_url=f"https://{source}/",
            page_title=f"{source.split('.')[0].title()} guides",
            score_breakdown={"authority": authority, "relevance": round(rng.random(), 2)},
            due_on=(now + timedelta(days=rng.randint(-2, 6))).date() if index % 3 == 0 else None,
        )
        db.session.add(prospect)
        db.session.flush()
        contact = Contact(
            workspace_id=workspace.id,
            email=f"editor@{source}",
            first_name="Sam",
            domain=source,
            role_address=True,
            source="demo",
        )
        db.session.add(contact)
        db.session.flush()
        db.session.add(
            ProspectContact(prospect_id=prospect.id, contact_id=contact.id, is_primary=True)
        )
        record(
            workspace.id,
            "prospect",
            prospect.id,
            "stage_changed",
            {"to": stage.value},
            actor_id=owner.id,
        )
        if stage in (Stage.LINK_PLACED, Stage.LIVE, Stage.LOST):
            status = {Stage.LIVE: LinkStatus.LIVE, Stage.LOST: LinkStatus.MISSING}.get(
                stage, LinkStatus.PENDING
            )
            link = PlacedLink(
                workspace_id=workspace.id,
                prospect_id=prospect.id,
                page_url=f"https://{source}/articles/best-trails",
                target_url="https://trailhead-outdoor.com/guides/hiking-checklist",
                expected_anchor="hiking checklist",
                status=status,
                last_checked_at=now if status is not LinkStatus.PENDING else None,
                next_check_at=now + timedelta(days=rng.randint(1, 7)),
            )
            db.session.add(link)
            db.session.flush()
            if status is not LinkStatus.PENDING:
                db.session.add(
                    LinkCheck(
                        placed_link_id=link.id,
                        verdict=status,
                        http_status=200,
                        final_url=link.page_url,
                        result={"verdict": status.value},
                    )
                )
    db.session.flush()
    refresh_targets(db.session.connection(), workspace.id, COMPETITORS)
    return workspace


@click.command("seed-demo")
@click.option("--if-empty", is_flag=True, help="Do nothing when any user exists.")
@with_appcontext
def seed_demo(if_empty: bool) -> None:
    """Create a demo workspace (login demo@example.com / outreach-demo)."""
    if if_empty and accounts.user_count() > 0:
        click.echo("Database already has users: demo not seeded.")
        return
    existing = db.session.scalar(select(Workspace).where(Workspace.name == DEMO_WORKSPACE))
    if existing is not None:
        raise click.ClickException("The demo workspace already exists.")
    owner = accounts.find_user(DEMO_EMAIL) or accounts.create_user(
        DEMO_EMAIL, DEMO_PASSWORD, "Demo User"
    )
    workspace = seed(owner)
    db.session.commit()
    click.echo(
        f"Demo workspace {workspace.name!r} ready: sign in as {DEMO_EMAIL} / {DEMO_PASSWORD}"
    )
