"""Crawl pages: start a crawl from the form, poll its state, stop it, add contacts."""

from __future__ import annotations

import io
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from redis import Redis
from sqlalchemy import select

from outreach.crawl import services
from outreach.crawl.jobs import launch_crawl
from outreach.crawl.models import CrawlPage, CrawlRun, CrawlStatus
from outreach.extensions import db
from outreach.jobs.queues import queue_names
from outreach.jobs.worker import OutreachWorker
from outreach.prospects.models import Contact, ProspectContact
from outreach.prospects.services import add_to_pipeline
from tests.factories import SignIn
from tests.links.conftest import work
from tests.support.simweb import Response, SimWeb, run_simweb


def _many_pages(host: str, path: str) -> Response:
    links = "".join(f'<a href="/p{n}">page {n}</a> ' for n in range(200))
    return Response(200, {"Content-Type": "text/html"}, f"<p>{links}</p>".encode(), delay=0.05)


@pytest.fixture
def slow_web(app: Flask) -> Iterator[SimWeb]:
    with run_simweb(_many_pages) as server:
        app.config.update(OUTREACH_HTTP_PROXY=server.proxy_url, OUTREACH_PER_HOST_DELAY=0.0)
        yield server


def test_starting_a_crawl_queues_a_job_and_shows_its_live_state(
    client: FlaskClient, auth: SignIn, factory: Any
) -> None:
    _, workspace = auth()
    campaign = factory.campaign(workspace)
    response = client.post(
        f"/campaigns/{campaign.id}/crawls",
        data={
            "sites": "blog.example.org",
            "pages": "see https://a.example/x and more",
            "max_depth": 1,
            "max_pages_per_site": 5,
            "find_contacts": "y",
        },
    )
    assert response.status_code == 302
    run = db.session.scalars(select(CrawlRun)).one()
    assert run.site_seeds == ["http://blog.example.org"] and run.page_seeds == [
        "https://a.example/x"
    ]
    assert (run.max_depth, run.max_pages_per_site, run.check_broken_links) == (1, 5, False)
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Stop crawl" in page and "queued" in page
    assert client.get(f"/crawls/{run.id}.json").get_json()["status"] == "queued"
    assert f"/crawls/{run.id}" in client.get(f"/campaigns/{campaign.id}/crawls").get_data(
        as_text=True
    )


def test_a_crawl_without_seeds_is_refused_with_a_message(
    client: FlaskClient, auth: SignIn, factory: Any
) -> None:
    _, workspace = auth()
    campaign = factory.campaign(workspace)
    page = client.post(
        f"/campaigns/{campaign.id}/crawls", data={"sites": " "}, follow_redirects=True
    ).get_data(as_text=True)
    assert "Give at least one site" in page
    assert db.session.scalars(select(CrawlRun)).first() is None


def test_stop_button_on_a_queued_crawl_stops_it_before_it_fetches(
    app: Flask, client: FlaskClient, auth: SignIn, factory: Any, redis_url: str, slow_web: SimWeb
) -> None:
    _, workspace = auth()
    run = services.create_run(factory.campaign(workspace), sites="many.example")
    launch_crawl(run, None)
    db.session.commit()
    assert client.post(f"/crawls/{run.id}/stop").status_code == 302
    OutreachWorker(queue_names(app.config), connection=Redis.from_url(redis_url), app=app).work(
        burst=True
    )
    db.session.expire_all()
    assert client.get(f"/crawls/{run.id}.json").get_json()["status"] == "stopped"
    assert slow_web.requests == 0


def test_stop_during_a_crawl_ends_it_early_and_keeps_what_it_found(
    app: Flask, factory: Any, redis_url: str, slow_web: SimWeb
) -> None:
    _, workspace = factory.user_with_workspace("o@example.com", "Acme")
    run = services.create_run(
        factory.campaign(workspace),
        sites="many.example",
        max_pages_per_site=200,
        check_broken_links=False,
    )
    launch_crawl(run, None)
    db.session.commit()
    run_id = run.id

    def press_stop() -> None:
        with app.app_context():
            for _ in range(200):
                current = db.session.get(CrawlRun, run_id)
                if current is not None and current.pages_fetched >= 5:
                    services.request_stop(current)
                    db.session.commit()
                    return
                db.session.rollback()
                time.sleep(0.05)

    presser = threading.Thread(target=press_stop)
    presser.start()
    OutreachWorker(queue_names(app.config), connection=Redis.from_url(redis_url), app=app).work(
        burst=True
    )
    presser.join()
    db.session.expire_all()
    stopped = db.session.get(CrawlRun, run_id)
    assert stopped is not None and stopped.status is CrawlStatus.STOPPED
    kept = len(db.session.scalars(select(CrawlPage)).all())
    assert 5 <= kept < 150 and stopped.pages_fetched == kept


def test_contacts_by_hand_and_csv_are_one_contact_per_address(
    app: Flask, client: FlaskClient, auth: SignIn, factory: Any, redis_url: str
) -> None:
    _, workspace = auth()
    campaign = factory.campaign(workspace)
    other = factory.campaign(workspace, name="Autumn")
    add_to_pipeline(campaign, ["blog.example.org"], None)
    db.session.commit()
    response = client.post(
        f"/campaigns/{campaign.id}/contacts",
        data={"one-email": "Ann@Blog.example.org", "one-first_name": "Ann"},
    )
    assert response.status_code == 302
    csv_text = (
        "\ufeffemail,first_name,last_name,domain\n"
        "ann@blog.example.org,Annie,Lee,blog.example.org\n"
        "info@blog.example.org,,,\nnot-an-address,,,\n"
    )
    response = client.post(
        f"/campaigns/{other.id}/contacts/import",
        data={"csv-file": (io.BytesIO(csv_text.encode()), "contacts.csv")},
        content_type="multipart/form-data",
    )
    work(app, redis_url)
    page = client.get(response.location).get_data(as_text=True)
    assert "<strong>1</strong> new contacts, <strong>1</strong> already known" in page
    assert "Row 4" in page
    contacts = {c.email: c for c in db.session.scalars(select(Contact))}
    # one contact per address whatever its case; the local part is kept as first written
    assert set(contacts) == {"Ann@blog.example.org", "info@blog.example.org"}
    ann = contacts["Ann@blog.example.org"]
    assert (ann.first_name, ann.last_name) == ("Ann", "Lee")  # filled in, never overwritten
    assert contacts["info@blog.example.org"].role_address
    links = db.session.scalars(select(ProspectContact)).all()
    assert [(link.contact_id, link.is_primary) for link in links] == [(ann.id, True)]
