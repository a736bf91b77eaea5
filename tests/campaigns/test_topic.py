"""A campaign's topic keywords and target pages: from the command line and the edit form."""

from __future__ import annotations

import json

import pytest
from flask.testing import FlaskClient, FlaskCliRunner

from outreach.campaigns import services
from outreach.campaigns.models import Campaign
from outreach.extensions import db
from tests.factories import Factory, SignIn


def test_campaign_create_takes_a_topic_and_target_pages(runner: FlaskCliRunner) -> None:
    runner.invoke(
        args=["create-user", "a@example.com", "--workspace", "Acme", "--password-stdin"],
        input="a long secret pw\n",
    )
    result = runner.invoke(
        args=[
            "campaign", "create", "--workspace", "Acme", "--name", "Wind",
            "--competitor", "rival.com", "--topic", "wind power, solar,  heat pumps ",
            "--target-page", "https://ours.com/wind?a=1,2",
            "--target-page", "https://ours.com/solar", "--json",
        ]
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    campaign = db.session.get(Campaign, json.loads(result.output)["id"])
    assert campaign is not None
    assert campaign.topic_keywords == ["wind power", "solar", "heat pumps"]
    assert campaign.target_pages == ["https://ours.com/wind?a=1,2", "https://ours.com/solar"]


def test_campaign_create_refuses_a_target_page_that_is_not_a_web_url(
    runner: FlaskCliRunner,
) -> None:
    runner.invoke(
        args=["create-user", "a@example.com", "--workspace", "Acme", "--password-stdin"],
        input="a long secret pw\n",
    )
    result = runner.invoke(
        args=["campaign", "create", "--workspace", "Acme", "--name", "W",
              "--target-page", "ftp://ours.com/file"]
    )  # fmt: skip
    assert result.exit_code == 1 and "is not an http(s) URL" in result.output
    assert db.session.query(Campaign).count() == 0


def test_edit_form_saves_topic_and_target_pages(
    client: FlaskClient, auth: SignIn, factory: Factory
) -> None:
    _, workspace = auth()
    campaign = factory.campaign(workspace)
    form = {
        "name": "Renamed", "kind": "guest_post", "site_domain": "ours.example",
        "competitors": "rival-one.com", "monthly_link_target": "0",
        "target_pages": "https://ours.example/a\n https://ours.example/b?x=1,2 \n",
        "topic_keywords": "Hiking, tents\nhiking, trail running",
    }  # fmt: skip
    assert client.post(f"/campaigns/{campaign.id}/edit", data=form).status_code == 302
    db.session.expire_all()
    saved = db.session.get_one(Campaign, campaign.id)
    assert saved.target_pages == ["https://ours.example/a", "https://ours.example/b?x=1,2"]
    assert saved.topic_keywords == ["Hiking", "tents", "trail running"]
    page = client.get(f"/campaigns/{campaign.id}/edit").get_data(as_text=True)
    assert "https://ours.example/b?x=1,2" in page and "Hiking, tents, trail running" in page


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("target_pages", "javascript:alert(1)", "is not an http(s) URL"),
        ("target_pages", "ours.example/page", "is not an http(s) URL"),
        ("target_pages", "\n".join(f"https://ours.example/{n}" for n in range(21)), "At most 20"),
        ("topic_keywords", ", ".join(f"word{n}" for n in range(51)), "At most 50"),
        ("topic_keywords", "x" * 101, "longer than 100"),
    ],
)
def test_edit_form_explains_bad_topics_and_pages_and_keeps_the_old_ones(
    client: FlaskClient, auth: SignIn, factory: Factory, field: str, value: str, message: str
) -> None:
    _, workspace = auth()
    campaign = factory.campaign(workspace, target_pages=["https://ours.example/keep"])
    form = {"name": "X", "kind": "guest_post", "site_domain": "ours.example", field: value}
    response = client.post(f"/campaigns/{campaign.id}/edit", data=form)
    assert response.status_code == 200 and message in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get_one(Campaign, campaign.id).target_pages == ["https://ours.example/keep"]


def test_clean_keywords_drops_blanks_and_case_duplicates() -> None:
    assert services.clean_keywords(["  a  b ", "A B", "", "c"]) == ["a b", "c"]
