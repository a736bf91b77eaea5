"""The placed-links pages: add, timeline, check now, alerts, e-mail preference, discovery."""

from __future__ import annotations

import gzip
import re

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from outreach.extensions import db
from outreach.jobs.models import Task
from outreach.links.models import Alert, LinkStatus, PlacedLink
from outreach.prospects.models import Prospect, Stage
from tests.factories import Factory, SignIn
from tests.links.conftest import TARGET, Web, cc_page, work

PAGE = "http://blog.example/post"


def _post(link: bytes = b'<a href="https://ours.example/guide" rel="ugc">our guide</a>') -> bytes:
    return cc_page(link).replace(b'<link rel="canonical"', b'<link rel="x"', 1)


def test_adding_a_link_queues_a_check_whose_evidence_shows_on_the_timeline(
    web_app: Flask, web: Web, client: FlaskClient, auth: SignIn, redis_url: str
) -> None:
    auth()
    web.serve(PAGE, _post())
    response = client.post(
        "/links/", data={"page_url": PAGE, "target_url": TARGET, "expected_anchor": "our guide"}
    )
    assert response.status_code == 302
    assert db.session.scalar(select(Task)) is not None
    work(web_app, redis_url)
    page = client.get(response.location).get_data(as_text=True)
    assert "nofollow" in page and "our guide" in page and "ugc" in page and "content" in page
    assert "HTTP 200" in page
    listing = client.get("/links/").get_data(as_text=True)
    assert PAGE in listing and "Nofollow (1)" in listing


def test_invalid_address_is_refused_with_a_message(client: FlaskClient, auth: SignIn) -> None:
    auth()
    response = client.post("/links/", data={"page_url": "ftp://x", "target_url": TARGET})
    assert response.status_code == 400 and "Enter a full" in response.get_data(as_text=True)
    assert db.session.scalar(select(PlacedLink)) is None


def test_check_now_queues_a_job_for_that_link(client: FlaskClient, auth: SignIn) -> None:
    _, workspace = auth()
    link = PlacedLink(workspace_id=workspace.id, page_url=PAGE, target_url=TARGET)
    db.session.add(link)
    db.session.commit()
    assert client.post(f"/links/{link.id}/check").status_code == 302
    task = db.session.scalar(select(Task))
    assert task is not None and task.name == "verify_links" and PAGE in task.description


def test_alerts_page_counts_unread_marks_read_and_keeps_the_email_choice(
    client: FlaskClient, auth: SignIn
) -> None:
    _, workspace = auth()
    for kind in ("link_removed", "nofollow"):
        db.session.add(Alert(workspace_id=workspace.id, kind=kind, message=f"{kind} happened"))
    db.session.commit()
    page = client.get("/links/alerts").get_data(as_text=True)
    assert "2 unread" in page and "link_removed happened" in page
    assert re.search(r"Links\s*<span class=\"badge\"[^>]*>2<", page), "unread count in the nav"
    first = db.session.scalar(select(Alert).order_by(Alert.id))
    assert first is not None
    client.post(f"/links/alerts/{first.id}/read")
    assert "1 unread" in client.get("/links/alerts").get_data(as_text=True)
    client.post("/links/alerts/read-all")
    assert "unread" not in client.get("/links/alerts").get_data(as_text=True)
    client.post("/links/alerts/email", data={"wanted": "1"})
    assert "Stop e-mailing me alerts" in client.get("/links/alerts").get_data(as_text=True)
    client.post("/links/alerts/email", data={"wanted": "0"})
    assert "E-mail me alerts" in client.get("/links/alerts").get_data(as_text=True)


def test_discovery_finds_links_on_the_homepage_and_in_a_gzipped_sitemap_index(
    web_app: Flask, web: Web, client: FlaskClient, auth: SignIn, factory: Factory, redis_url: str
) -> None:
    _, workspace = auth()
    campaign = factory.campaign(workspace, site_domain="ours.example")
    prospect = Prospect(
        workspace_id=workspace.id,
        campaign_id=campaign.id,
        domain="blog.example",
        stage=Stage.LINK_PLACED,
    )
    db.session.add(prospect)
    db.session.commit()
    home = b'<html><body><a href="/about">About</a><a href="https://www.ours.example/">Ours</a>'
    web.serve("http://blog.example/", home + b"</body></html>")
    web.serve("http://blog.example/about", b"<html><body>No links here</body></html>")
    index = (
        b'<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        b"<sitemap><loc>http://blog.example/posts.xml.gz</loc></sitemap></sitemapindex>"
    )
    urlset = (
        b'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        b"<url><loc>http://blog.example/post</loc><lastmod>2026-11-01</lastmod></url></urlset>"
    )
    web.serve("http://blog.example/sitemap.xml", (200, {"Content-Type": "application/xml"}, index))
    web.serve(
        "http://blog.example/posts.xml.gz",
        (200, {"Content-Type": "application/gzip"}, gzip.compress(urlset)),
    )
    web.serve(PAGE, _post(b'<a href="https://ours.example/guide">our guide</a>'))
    response = client.post("/links/discover", data={"prospect_id": prospect.id})
    assert response.status_code == 302
    work(web_app, redis_url)
    db.session.expire_all()
    found = {
        (link.page_url, link.target_url, link.status)
        for link in db.session.scalars(select(PlacedLink))
    }
    assert found == {
        ("http://blog.example/", "https://www.ours.example/", LinkStatus.LIVE),
        (PAGE, TARGET, LinkStatus.LIVE),
    }
    assert db.session.get_one(Prospect, prospect.id).stage is Stage.LIVE


def test_discovery_of_another_workspaces_prospect_is_404(
    client: FlaskClient, auth: SignIn, factory: Factory
) -> None:
    _, other = factory.user_with_workspace("other@example.com", "Other")
    theirs = Prospect(
        workspace_id=other.id, campaign_id=factory.campaign(other).id, domain="theirs.example"
    )
    db.session.add(theirs)
    db.session.commit()
    auth()
    assert client.post("/links/discover", data={"prospect_id": theirs.id}).status_code == 404
    assert db.session.scalars(select(Task)).all() == [], "no job was launched for it"
