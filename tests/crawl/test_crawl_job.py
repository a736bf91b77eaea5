"""The crawl job end to end: a worker crawls a simulated web of real pages through the proxy."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from redis import Redis
from sqlalchemy import select

from outreach.accounts.models import Workspace
from outreach.backlinks.models import Backlink, DataSource
from outreach.campaigns.models import Campaign
from outreach.crawl import services
from outreach.crawl.jobs import launch_crawl
from outreach.crawl.models import CrawlPage, CrawlRun, CrawlSite, CrawlStatus, Opportunity
from outreach.extensions import db
from outreach.jobs.queues import queue_names
from outreach.jobs.worker import OutreachWorker
from outreach.prospects.models import Contact
from tests.crawl.web import handler
from tests.factories import Factory
from tests.support.simweb import SimWeb, app_behind_simweb


@pytest.fixture
def web(app: Flask) -> Iterator[SimWeb]:
    """The simulated web, with the app's fetcher pointed at it as its proxy."""
    with app_behind_simweb(
        app, handler, OUTREACH_FETCH_TIMEOUT=2.0, OUTREACH_MAX_PAGE_MB=0.5
    ) as server:
        yield server


@pytest.fixture
def campaign(factory: Factory) -> Campaign:
    _, workspace = factory.user_with_workspace("o@example.com", "Acme")
    workspace.brand_names = ["Acme Widgets"]
    workspace.site_domain = "acme-widgets.test"
    db.session.commit()
    return factory.campaign(
        workspace, competitors=["rival-one.com"], site_domain="acme-widgets.test"
    )


def crawl(app: Flask, redis_url: str, campaign: Campaign, **options: Any) -> CrawlRun:
    """Queue a run and work it off with a real forking worker."""
    run = services.create_run(campaign, **options)
    launch_crawl(run, None)
    db.session.commit()
    worker = OutreachWorker(queue_names(app.config), connection=Redis.from_url(redis_url), app=app)
    worker.work(burst=True)
    db.session.expire_all()
    fresh = db.session.get(CrawlRun, run.id)
    assert fresh is not None
    return fresh


def test_crawl_records_competitor_links_as_crawl_backlinks(
    app: Flask, redis_url: str, web: SimWeb, campaign: Campaign
) -> None:
    run = crawl(app, redis_url, campaign, sites="strangemachines.example")
    assert run.status is CrawlStatus.FINISHED, run.error
    links = db.session.scalars(select(Backlink)).all()
    assert [(b.source_domain, b.target_url, b.data_source) for b in links] == [
        ("strangemachines.example", "https://rival-one.com/guide", DataSource.CRAWL)
    ]
    assert links[0].anchor == "the best guide to profiling" and links[0].nofollow
    assert links[0].placement == "content" and run.backlinks_found == 1
    again = crawl(app, redis_url, campaign, sites="strangemachines.example")
    assert again.status is CrawlStatus.FINISHED
    assert db.session.scalars(select(Backlink)).all() == links  # upserted, not doubled


def test_crawl_detects_each_opportunity_type(
    app: Flask, client: FlaskClient, redis_url: str, web: SimWeb, campaign: Campaign
) -> None:
    run = crawl(
        app,
        redis_url,
        campaign,
        sites="strangemachines.example",
        pages="Results:\n1. http://mentions.test/tmux - a tmux tip",
    )
    found = {(o.kind.value, o.page_url) for o in db.session.scalars(select(Opportunity))}
    assert ("resource_page", "http://strangemachines.example/resources") in found
    assert ("write_for_us", "http://strangemachines.example/write-for-us") in found
    assert ("broken_link", "http://strangemachines.example/resources") in found
    assert ("unlinked_mention", "http://mentions.test/tmux") in found
    assert ("competitor_link", "http://strangemachines.example") in found
    broken = db.session.scalar(
        select(Opportunity).where(
            Opportunity.kind == "broken_link",
            Opportunity.page_url == "http://strangemachines.example/resources",
        )
    )
    assert broken is not None
    assert sorted(link["href"] for link in broken.detail["links"]) == [
        "http://dead-links.test/gone",
        "http://dead-links.test/removed",
    ]
    assert run.opportunities_found == len(found)
    client.post("/login", data={"email": "o@example.com", "password": Factory.PASSWORD})
    page = client.get(f"/crawls/{run.id}?kind=broken_link").get_data(as_text=True)
    assert "http://dead-links.test/removed" in page and "answers 404" in page
    assert "Unlinked mention (1)" in page and "mentions.test" in page


def test_crawl_finds_contacts_on_contact_and_about_pages(
    app: Flask, redis_url: str, web: SimWeb, campaign: Campaign
) -> None:
    crawl(app, redis_url, campaign, sites="strangemachines.example")
    contacts = {c.email: c for c in db.session.scalars(select(Contact))}
    assert {
        "editor@strangemachines.example",
        "jane.porter@strangemachines.example",
        "press@strangemachines.example",
        "marco.rossi@strangemachines.example",
        "guestposts@strangemachines.example",
        "studio@pixel-works.example",
        "hello@strangemachines.io",  # in the real page's footer
    } == set(contacts)
    jane = contacts["jane.porter@strangemachines.example"]
    assert (jane.first_name, jane.last_name, jane.role_address) == ("Jane", "Porter", False)
    assert contacts["editor@strangemachines.example"].role_address
    assert "https://twitter.com/strangemachines" in jane.social_profiles
    site = db.session.scalar(select(CrawlSite).where(CrawlSite.domain == "strangemachines.example"))
    assert site is not None and {"Jane Porter", "Marco Rossi"} <= set(site.authors)
    on_site = [e.endswith("@strangemachines.example") for e in site.emails]
    assert on_site == sorted(on_site, reverse=True)  # the site's own addresses rank first
    assert site.emails[0] == "jane.porter@strangemachines.example"  # a person before role boxes
    assert not any("sharer" in p for p in site.social_profiles)


def test_limits_bound_depth_and_pages_per_site(
    app: Flask, redis_url: str, web: SimWeb, campaign: Campaign
) -> None:
    crawl(
        app,
        redis_url,
        campaign,
        sites="strangemachines.example",
        max_depth=2,
        max_pages_per_site=500,
        find_contacts=False,
        check_broken_links=False,
    )
    assert "/deep/2" in web.paths("strangemachines.example")
    assert "/deep/3" not in web.paths("strangemachines.example")  # depth 3 from the home page
    capped = crawl(
        app,
        redis_url,
        campaign,
        sites="strangemachines.example",
        max_pages_per_site=2,
        find_contacts=False,
        check_broken_links=False,
    )
    assert capped.pages_fetched + capped.pages_failed == 2


def test_bad_input_ends_with_a_readable_reason_and_the_crawl_goes_on(
    app: Flask, redis_url: str, web: SimWeb, campaign: Campaign
) -> None:
    run = crawl(
        app,
        redis_url,
        campaign,
        pages="\n".join(
            [
                "http://loop.test/a",
                "http://huge.test/",
                "http://bomb.test/",
                "http://slow.test/",
                "http://latin1.test/page",
                "http://mentions.test/tmux",
            ]
        ),
    )
    assert run.status is CrawlStatus.FINISHED
    pages = {p.url: p for p in db.session.scalars(select(CrawlPage))}
    assert pages["http://loop.test/a"].error_kind == "too_many_redirects"
    assert pages["http://huge.test/"].error_kind == "too_large"
    assert pages["http://bomb.test/"].error_kind == "too_large"
    assert pages["http://slow.test/"].error_kind == "timeout"
    assert all(pages[u].error for u in pages if pages[u].error_kind)
    latin = pages["http://latin1.test/page"]
    assert latin.error_kind is None and latin.title and "Waldorfschule" in latin.title
    assert pages["http://mentions.test/tmux"].opportunity_types == ["unlinked_mention"]
    assert run.pages_failed == sum(1 for p in pages.values() if p.error_kind)


def test_malformed_and_unreachable_urls_are_recorded_without_a_proxy(
    app: Flask, redis_url: str, campaign: Campaign
) -> None:
    app.config.update(
        OUTREACH_HTTP_PROXY=None,
        OUTREACH_FETCH_TIMEOUT=2.0,
        OUTREACH_ALLOWED_NETWORKS=("127.0.0.1/32",),
    )
    run = crawl(
        app,
        redis_url,
        campaign,
        pages="http://no-such-host.invalid/page\nhttp://127.0.0.1:9/closed",
    )
    pages = {p.url: p for p in db.session.scalars(select(CrawlPage))}
    assert pages["http://no-such-host.invalid/page"].error_kind == "dns"
    closed = pages["http://127.0.0.1:9/closed"]
    assert closed.error_kind in ("connect", "timeout") and closed.error
    assert run.status is CrawlStatus.FINISHED and run.pages_failed >= 2


def test_workspace_isolation_of_runs(factory: Factory, campaign: Campaign) -> None:
    _, other = factory.user_with_workspace("x@example.com", "Other")
    run = services.create_run(campaign, sites="a.test")
    db.session.commit()
    assert isinstance(db.session.get(Workspace, other.id), Workspace)
    with pytest.raises(Exception, match="404"):
        services.get_run(other.id, run.id)


def test_found_sites_go_to_the_pipeline_with_opportunities_and_contacts(
    app: Flask, client: FlaskClient, redis_url: str, web: SimWeb, campaign: Campaign
) -> None:
    from outreach.prospects.models import Prospect, ProspectContact

    run = crawl(app, redis_url, campaign, sites="strangemachines.example")
    client.post("/login", data={"email": "o@example.com", "password": Factory.PASSWORD})
    response = client.post(
        f"/crawls/{run.id}/prospects", data={"domain": ["strangemachines.example", "not-found.io"]}
    )
    assert response.status_code == 302
    db.session.expire_all()
    prospect = db.session.scalar(select(Prospect))
    assert prospect is not None and prospect.domain == "strangemachines.example"
    assert db.session.scalar(select(Prospect).where(Prospect.domain == "not-found.io")) is None
    assert {"resource_page", "write_for_us"} <= set(prospect.opportunity_types)
    linked = db.session.scalars(
        select(Contact.email)
        .join(ProspectContact, ProspectContact.contact_id == Contact.id)
        .where(ProspectContact.prospect_id == prospect.id)
    )
    assert "jane.porter@strangemachines.example" in set(linked)
