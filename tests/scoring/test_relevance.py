"""Relevance stays unknown with its reason until it can be known, and follows topic changes."""

from __future__ import annotations

from outreach.campaigns.models import Campaign
from outreach.extensions import db
from outreach.scoring.fetching import PageReading, read_html
from outreach.scoring.jobs_fetch import save
from outreach.scoring.linking import PageToFetch, linking_pages
from outreach.scoring.relevance import NO_TOPIC, relevance_by_domain
from tests.factories import Factory
from tests.scoring.seed import link

PAGE = (
    "<html><body><article><h1>{0}</h1>"
    + "<p>{0} This sentence is one of many in a page that talks about it at length.</p>" * 6
    + "</article></body></html>"
)


def _campaign(factory: Factory, **fields: object) -> Campaign:
    _, workspace = factory.user_with_workspace("o@example.com", "Acme")
    return factory.campaign(workspace, competitors=["rival-one.com"], **fields)


def _store(campaign: Campaign, url: str, sentence: str) -> None:
    link(campaign, url)
    page = PageToFetch(url, url.split("/")[2])
    save(campaign.workspace_id, read_html(PageReading(page, url, 200), PAGE.format(sentence)))


def test_without_a_topic_relevance_is_unknown_and_says_what_is_missing(factory: Factory) -> None:
    campaign = _campaign(factory)
    _store(campaign, "https://hiking.example/boots", "Hiking boots for long mountain trails.")
    db.session.commit()
    found = relevance_by_domain(campaign.id, ["hiking.example"])["hiking.example"]
    assert (found.value, found.reason) == (None, NO_TOPIC)


def test_a_new_topic_is_taken_into_account_at_once(factory: Factory) -> None:
    campaign = _campaign(factory, topic_keywords=["hiking boots"])
    _store(campaign, "https://hiking.example/boots", "Hiking boots for long mountain trails.")
    _store(campaign, "https://baking.example/bread", "Sourdough bread needs flour and patience.")
    db.session.commit()
    first = relevance_by_domain(campaign.id, ["hiking.example", "baking.example"])
    assert first["hiking.example"].value and first["hiking.example"].value > 0.5
    assert first["baking.example"].value == 0.0 and first["baking.example"].top_terms == []
    assert sorted(first["hiking.example"].top_terms) == ["boots", "hiking"]
    campaign.topic_keywords = ["sourdough bread"]
    db.session.commit()
    second = relevance_by_domain(campaign.id, ["hiking.example", "baking.example"])
    assert second["baking.example"].value and second["baking.example"].value > 0.5
    assert second["hiking.example"].value == 0.0


def test_each_domain_reads_its_best_three_linking_pages_followed_first(factory: Factory) -> None:
    campaign = _campaign(factory)
    link(campaign, "https://blog.example/nofollowed", nofollow=True, page_authority=90.0)
    for n, authority in enumerate([10.0, 30.0, None, 20.0]):
        link(campaign, f"https://blog.example/p{n}", page_authority=authority)
    link(campaign, "https://blog.example/p1", target="https://rival-one.com/other")
    assert linking_pages(campaign) == {
        "blog.example": [
            "https://blog.example/p1",
            "https://blog.example/p3",
            "https://blog.example/p0",
        ]
    }
