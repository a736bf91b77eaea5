"""The fetch job end to end: a real worker fetches linking and target pages through the proxy."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient
from redis import Redis
from sqlalchemy import select

from outreach.campaigns.models import Campaign
from outreach.extensions import db
from outreach.jobs.models import Task, TaskStatus
from outreach.jobs.queues import queue_names
from outreach.jobs.worker import OutreachWorker
from outreach.scoring.jobs_fetch import fetch_pages_for_campaign, launch_fetch
from outreach.scoring.page_models import FetchedPage
from outreach.scoring.relevance import relevance_by_domain
from tests.factories import Factory, SignIn
from tests.scoring.seed import link
from tests.support.simweb import Reply, SimWeb, app_behind_simweb

HTML = {"Content-Type": "text/html; charset=utf-8"}
ARTICLE = (
    "<html lang='en'><head><title>{title}</title></head><body><nav><a href='/'>Home</a></nav>"
    "<main><article><h1>{title}</h1>{paragraphs}"
    "<p>Read more at <a href='https://rival-one.com/guide'>our friends' guide</a>.</p>"
    "</article></main><footer><a href='https://elsewhere.example/'>partner</a></footer>"
    "</body></html>"
)


def article(title: str, sentence: str) -> bytes:
    """A page of several paragraphs repeating ``sentence``, with a link to a competitor."""
    paragraphs = "".join(
        f"<p>{sentence} This is paragraph number {n} of the article.</p>" for n in range(8)
    )
    return ARTICLE.format(title=title, paragraphs=paragraphs).encode()


WIND = "Wind turbines and solar panels supply renewable energy to the electricity grid."
CAKE = "Butter, sugar and flour make the sponge of this cake soft and sweet for the family."


def handler(host: str, path: str) -> Reply:
    """Sites answering with a good page, a 404, a PDF, a robots.txt refusal and our target."""
    if path == "/robots.txt":
        body = b"User-agent: *\nDisallow: /\n" if host == "private.test" else b""
        return (200 if body else 404), {"Content-Type": "text/plain"}, body
    pages = {
        ("windblog.test", "/post"): (200, HTML, article("Wind and solar", WIND)),
        ("bakery.test", "/cake"): (200, HTML, article("Sponge cake", CAKE)),
        ("private.test", "/post"): (200, HTML, article("Wind", WIND)),
        ("pdfs.test", "/report.pdf"): (200, {"Content-Type": "application/pdf"}, b"%PDF-1.4"),
        ("ours.test", "/renewables"): (200, HTML, article("Our renewable energy", WIND)),
    }
    return pages.get((host, path), (404, HTML, b"<h1>not found</h1>"))


@pytest.fixture
def web(app: Flask) -> Iterator[SimWeb]:
    """The simulated web, reached only through OUTREACH_HTTP_PROXY."""
    with app_behind_simweb(app, handler, OUTREACH_FETCH_TIMEOUT=3.0) as server:
        yield server


@pytest.fixture
def campaign(factory: Factory) -> Campaign:
    _, workspace = factory.user_with_workspace("o@example.com", "Acme")
    campaign = factory.campaign(
        workspace,
        competitors=["rival-one.com"],
        site_domain="ours.test",
        topic_keywords=["renewable energy", "wind power"],
        target_pages=["http://ours.test/renewables"],
    )
    for page in (
        "http://windblog.test/post",
        "http://bakery.test/cake",
        "http://private.test/post",
        "http://pdfs.test/report.pdf",
        "http://gone.test/old-page",
    ):
        link(campaign, page)
    db.session.commit()
    return campaign


def _pages() -> dict[str, FetchedPage]:
    return {page.url: page for page in db.session.scalars(select(FetchedPage))}


def test_worker_fetches_pages_and_records_why_some_failed(
    app: Flask, redis_url: str, web: SimWeb, campaign: Campaign
) -> None:
    task = launch_fetch(campaign, None)
    db.session.commit()
    worker = OutreachWorker(queue_names(app.config), connection=Redis.from_url(redis_url), app=app)
    worker.work(burst=True)
    db.session.expire_all()
    done = db.session.get(Task, task.id)
    assert done is not None and done.status is TaskStatus.FINISHED, done and done.error
    assert done.progress == {"pages_total": 6, "fetched": 3, "failed": 3}
    pages = _pages()
    assert {url: page.reason for url, page in pages.items()} == {
        "http://ours.test/renewables": None,
        "http://windblog.test/post": None,
        "http://bakery.test/cake": None,
        "http://private.test/post": "blocked by robots.txt",
        "http://pdfs.test/report.pdf": "not HTML",
        "http://gone.test/old-page": "404",
    }
    wind = pages["http://windblog.test/post"]
    assert wind.language == "en" and "turbin" in wind.terms and "renewable energy" in wind.text
    assert wind.title == "Wind and solar" and wind.http_status == 200
    assert wind.outbound_links == 2 and wind.outbound_domains == 2
    assert [(c["href"], c["placement"]) for c in wind.competitor_links] == [
        ("https://rival-one.com/guide", "content")
    ]
    assert all(request.absolute_form for request in web.log)  # every fetch via the proxy


def test_relevance_ranks_the_on_topic_page_first_and_says_why_others_are_unknown(
    web: SimWeb, campaign: Campaign
) -> None:
    domains = ["windblog.test", "bakery.test", "private.test", "pdfs.test", "gone.test"]
    before = relevance_by_domain(campaign.id, domains)
    assert {d: (s.value, s.reason) for d, s in before.items()} == {
        d: (None, "not fetched yet") for d in domains
    }
    counts = fetch_pages_for_campaign(campaign.id)
    assert (counts.fetched, counts.failed) == (3, 3)
    found = relevance_by_domain(campaign.id, [*domains, "unknown.test"])
    assert found["windblog.test"].value is not None and found["bakery.test"].value is not None
    assert found["windblog.test"].value > 0.5 > found["bakery.test"].value
    assert {"energy", "wind", "solar"} <= set(found["windblog.test"].top_terms)
    assert (found["private.test"].value, found["private.test"].reason) == (
        None,
        "blocked by robots.txt",
    )
    assert (found["pdfs.test"].value, found["pdfs.test"].reason) == (None, "not HTML")
    assert (found["gone.test"].value, found["gone.test"].reason) == (None, "failed: 404")
    assert (found["unknown.test"].value, found["unknown.test"].reason) == (
        None,
        "no linking page known",
    )


def test_a_second_run_fetches_nothing_fresh_again(web: SimWeb, campaign: Campaign) -> None:
    fetch_pages_for_campaign(campaign.id)
    requests = len(web.log)
    again = fetch_pages_for_campaign(campaign.id)
    assert (again.fetched, again.failed) == (0, 0)
    assert len(web.log) == requests
    assert len(_pages()) == 6


def test_editing_the_topic_rescores_and_new_target_pages_are_fetched_first(
    client: FlaskClient, auth: SignIn, factory: Factory
) -> None:
    _, workspace = auth()
    campaign = factory.campaign(
        workspace, topic_keywords=["wind"], target_pages=["https://ours.example/a"]
    )
    form = {
        "name": campaign.name, "kind": "guest_post", "site_domain": "ours.example",
        "competitors": "rival-one.com", "monthly_link_target": "0",
        "target_pages": "https://ours.example/a", "topic_keywords": "wind",
    }  # fmt: skip
    client.post(f"/campaigns/{campaign.id}/edit", data=form)  # nothing changed
    client.post(f"/campaigns/{campaign.id}/edit", data={**form, "topic_keywords": "wind, solar"})
    client.post(
        f"/campaigns/{campaign.id}/edit", data={**form, "target_pages": "https://ours.example/b"}
    )
    tasks = db.session.scalars(select(Task).order_by(Task.created_at)).all()
    assert [(t.name, t.description) for t in tasks] == [
        ("rescore_campaign", f"Rescore {campaign.name} (topic changed)"),
        ("fetch_campaign_pages", f"Fetch the target pages of {campaign.name}"),
    ]


def test_targets_only_fetches_the_campaign_target_pages_alone(
    web: SimWeb, campaign: Campaign
) -> None:
    counts = fetch_pages_for_campaign(campaign.id, targets_only=True)
    assert (counts.fetched, counts.failed) == (1, 0)
    assert list(_pages()) == ["http://ours.test/renewables"]
    assert {record.host for record in web.log} == {"ours.test"}
