"""Campaign pages."""

from __future__ import annotations

from flask.testing import FlaskClient
from sqlalchemy import select

from outreach.campaigns.models import Campaign, CampaignKind
from outreach.extensions import db
from tests.factories import Factory, SignIn


def test_create_campaign_reduces_competitors_to_registrable_domains(
    client: FlaskClient, auth: SignIn
) -> None:
    auth()
    response = client.post(
        "/campaigns/new",
        data={
            "name": "Launch",
            "kind": "resource_page",
            "site_domain": "https://www.ours.co.uk/",
            "competitors": "blog.rival.co.uk\nhttps://www.rival.co.uk/pricing\nother.com",
            "target_pages": "https://ours.co.uk/guide",
            "topic_keywords": "hiking, tents",
            "monthly_link_target": "5",
        },
    )
    assert response.status_code == 302
    campaign = db.session.scalar(select(Campaign))
    assert campaign is not None
    assert campaign.kind is CampaignKind.RESOURCE_PAGE
    assert campaign.site_domain == "ours.co.uk"
    assert [c.domain for c in campaign.competitors] == ["other.com", "rival.co.uk"]
    assert campaign.topic_keywords == ["hiking", "tents"]
    page = client.get(response.location).get_data(as_text=True)
    assert "rival.co.uk" in page and "Launch" in page


def test_own_site_cannot_be_a_competitor(client: FlaskClient, auth: SignIn) -> None:
    auth()
    response = client.post(
        "/campaigns/new",
        data={
            "name": "Oops",
            "kind": "guest_post",
            "site_domain": "ours.com",
            "competitors": "www.ours.com",
        },
    )
    assert response.status_code == 200
    assert b"is the campaign&#39;s own site" in response.data
    assert db.session.scalar(select(Campaign)) is None


def test_bad_competitor_domain_is_explained(client: FlaskClient, auth: SignIn) -> None:
    auth()
    response = client.post(
        "/campaigns/new", data={"name": "X", "kind": "guest_post", "competitors": "not a domain"}
    )
    assert b"is not a domain" in response.data


def test_edit_campaign_replaces_competitors(
    client: FlaskClient, auth: SignIn, factory: Factory
) -> None:
    _, workspace = auth()
    campaign = factory.campaign(workspace)
    response = client.post(
        f"/campaigns/{campaign.id}/edit",
        data={
            "name": "Renamed",
            "kind": "digital_pr",
            "site_domain": "ours.example",
            "competitors": "rival-two.com\nnewcomer.io",
            "monthly_link_target": "3",
        },
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert sorted(c.domain for c in db.session.get_one(Campaign, campaign.id).competitors) == [
        "newcomer.io",
        "rival-two.com",
    ]
