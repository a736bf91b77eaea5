"""The link intersect, checked against a hand-computed answer on both databases."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from flask.testing import FlaskClient, FlaskCliRunner

from outreach.accounts.models import Workspace
from outreach.campaigns.models import Campaign
from outreach.prospects.intersect import all_prospects, intersect
from outreach.prospects.intersect_rows import IntersectQuery
from tests.backlinks.ahrefs import Link, write_ahrefs
from tests.factories import Factory

A, B, G = "https://alpha.com/", "https://www.beta.com/tents", "https://gamma.com/shop"
OURS = "https://ours.com/guide"


@pytest.fixture
def campaign(factory: Factory, runner: FlaskCliRunner, tmp_path: Path) -> Campaign:
    """Three competitors, our own links, and a hand-made web of linkers."""
    _, workspace = factory.user_with_workspace("o@example.com", "Acme")
    return _seed(factory, workspace, runner, tmp_path)


def _seed(
    factory: Factory, workspace: Workspace, runner: FlaskCliRunner, tmp_path: Path
) -> Campaign:
    campaign = factory.campaign(
        workspace, site_domain="ours.com", competitors=["alpha.com", "beta.com", "gamma.com"]
    )
    files = {
        "alpha.tsv": [
            Link("https://blog.linker-one.co.uk/post", A, dr=50, anchor="alpha tents"),
            Link("http://linker-two.com/list", A, dr=30, nofollow=True, anchor="alpha"),
            Link("https://linker-three.org/a", A, dr=70),
            Link("https://already-ours.net/x", A, dr=90),
            Link("https://www.beta.com/partners", A, dr=80),
        ],
        "beta.tsv": [
            Link("https://www.linker-one.co.uk/other", B, dr=52, anchor="beta"),
            Link("https://linker-three.org/b", B, dr=70, sponsored=True),
            Link("https://already-ours.net/y", B, dr=90),
        ],
        "gamma.tsv": [
            Link("https://linker-three.org/c", G, dr=71),
            Link("https://lost-link.io/gone", G, dr=60, lost=True),
        ],
        "ours.tsv": [Link("https://already-ours.net/z", OURS, dr=90)],
    }
    for name, links in files.items():
        path = write_ahrefs(tmp_path / name, links)
        result = runner.invoke(args=["import-backlinks", str(path), "--campaign", str(campaign.id)])
        assert result.exit_code == 0, result.output
    return campaign


def test_intersect_matches_the_hand_computed_answer(campaign: Campaign) -> None:
    rows = all_prospects(campaign, IntersectQuery(min_competitors=1))
    assert [(r.domain, r.competitor_count, r.authority) for r in rows] == [
        ("linker-three.org", 3, 71.0),
        ("linker-one.co.uk", 2, 52.0),
        ("linker-two.com", 1, 30.0),
    ]
    one = rows[1]
    assert one.competitors == ["alpha.com", "beta.com"]
    assert sorted(one.pages) == [
        "https://blog.linker-one.co.uk/post",
        "https://www.linker-one.co.uk/other",  # as the export wrote it
    ]
    assert {link.anchor for link in one.links} == {"alpha tents", "beta"}


def test_k_filters_by_competitor_count(campaign: Campaign) -> None:
    two = all_prospects(campaign, IntersectQuery(min_competitors=2))
    assert [r.domain for r in two] == ["linker-three.org", "linker-one.co.uk"]
    assert [r.domain for r in all_prospects(campaign, IntersectQuery(min_competitors=3))] == [
        "linker-three.org"
    ]


def test_follow_only_ignores_nofollow_and_sponsored_links(campaign: Campaign) -> None:
    rows = all_prospects(campaign, IntersectQuery(min_competitors=1, follow_only=True))
    assert [(r.domain, r.competitor_count) for r in rows] == [
        ("linker-three.org", 2),
        ("linker-one.co.uk", 2),
    ]


def test_rel_of_each_link_is_shown(campaign: Campaign) -> None:
    rows = {r.domain: r for r in all_prospects(campaign, IntersectQuery())}
    rels = {(link.competitor, tuple(link.rel)) for link in rows["linker-three.org"].links}
    assert ("beta.com", ("sponsored",)) in rels and ("alpha.com", ()) in rels
    assert rows["linker-two.com"].links[0].rel == ["nofollow"]


def test_tld_authority_and_sort_filters(campaign: Campaign) -> None:
    uk = all_prospects(campaign, IntersectQuery(tld="co.uk"))
    assert [r.domain for r in uk] == ["linker-one.co.uk"]
    strong = all_prospects(campaign, IntersectQuery(min_authority=51))
    assert [r.domain for r in strong] == ["linker-three.org", "linker-one.co.uk"]
    by_name = all_prospects(campaign, IntersectQuery(sort="domain"))
    assert [r.domain for r in by_name] == ["linker-one.co.uk", "linker-three.org", "linker-two.com"]


def test_intersect_is_paginated(campaign: Campaign) -> None:
    page = intersect(campaign, IntersectQuery(page=2, page_size=2))
    assert page.total == 3 and page.pages == 2
    assert [r.domain for r in page.rows] == ["linker-two.com"]


def test_prospects_command_prints_json_best_first(
    campaign: Campaign, runner: FlaskCliRunner
) -> None:
    result = runner.invoke(args=["prospects", str(campaign.id), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert [d["domain"] for d in data] == ["linker-three.org", "linker-one.co.uk", "linker-two.com"]
    assert data[1]["competitors"] == ["alpha.com", "beta.com"]
    assert data[1]["authority"] == 52.0
    assert len(data[1]["pages"]) == 2


def test_intersect_page_lists_prospects_and_adds_them_to_the_pipeline(
    campaign: Campaign, client: FlaskClient
) -> None:
    client.post("/login", data={"email": "o@example.com", "password": Factory.PASSWORD})
    page = client.get(f"/campaigns/{campaign.id}/intersect?k=2").get_data(as_text=True)
    assert "linker-three.org" in page and "linker-one.co.uk" in page
    assert "linker-two.com" not in page
    response = client.post(
        f"/campaigns/{campaign.id}/prospects/add",
        data={"domain": ["linker-three.org", "linker-one.co.uk"]},
    )
    assert response.status_code == 302
    home = client.get(f"/campaigns/{campaign.id}").get_data(as_text=True)
    assert "<strong>2</strong><span>Prospect</span>" in home


def test_imports_register_domains_with_their_latest_authority(campaign: Campaign) -> None:
    from sqlalchemy import select

    from outreach.backlinks.models import Domain, DomainMetric
    from outreach.extensions import db

    domain = db.session.scalar(select(Domain).where(Domain.name == "linker-three.org"))
    assert domain is not None and domain.tld == "org"
    metric = db.session.scalar(select(DomainMetric).where(DomainMetric.domain_id == domain.id))
    assert metric is not None and metric.value == 71.0
