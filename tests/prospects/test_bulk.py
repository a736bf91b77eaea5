"""Bulk actions on the intersect: ticked domains, the top N by score, the whole filter."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import select

from outreach.accounts import services as accounts
from outreach.accounts.models import Membership, Role, User, Workspace
from outreach.campaigns.models import Campaign
from outreach.extensions import db
from outreach.prospects.models import Prospect, Stage
from tests.backlinks.ahrefs import Link, write_ahrefs
from tests.factories import Factory, SignIn

A = "https://alpha.com/a"


@pytest.fixture
def signed_in(auth: SignIn) -> tuple[User, Workspace]:
    return auth()


@pytest.fixture
def campaign(
    signed_in: tuple[User, Workspace], factory: Factory, runner: FlaskCliRunner, tmp_path: Path
) -> Campaign:
    campaign = factory.campaign(signed_in[1], site_domain="ours.com", competitors=["alpha.com"])
    links = [Link(f"https://site{n}.com/p", A, dr=10 * n) for n in range(1, 7)]
    links.append(Link("https://other.org/p", A, dr=95))
    path = write_ahrefs(tmp_path / "a.tsv", links)
    result = runner.invoke(args=["import-backlinks", str(path), "--campaign", str(campaign.id)])
    assert result.exit_code == 0, result.output
    assert runner.invoke(args=["score", str(campaign.id)]).exit_code == 0
    return campaign


def _pipeline() -> dict[str, Prospect]:
    db.session.expire_all()
    return {p.domain: p for p in db.session.scalars(select(Prospect))}


def test_the_top_n_by_score_go_to_the_pipeline(client: FlaskClient, campaign: Campaign) -> None:
    response = client.post(
        f"/campaigns/{campaign.id}/prospects/bulk",
        data={"action": "add", "scope": "top", "top": "3"},
    )
    assert response.status_code == 302
    assert set(_pipeline()) == {"other.org", "site6.com", "site5.com"}


def test_the_current_filter_is_rejected_as_a_whole(client: FlaskClient, campaign: Campaign) -> None:
    response = client.post(
        f"/campaigns/{campaign.id}/prospects/bulk?tld=com&min_authority=30",
        data={"action": "reject", "scope": "filter"},
    )
    assert response.status_code == 302 and "tld=com" in response.location
    found = _pipeline()
    assert set(found) == {"site3.com", "site4.com", "site5.com", "site6.com"}
    assert {p.stage for p in found.values()} == {Stage.REJECTED}


def test_ticked_domains_are_assigned_to_a_teammate_even_when_already_in_the_pipeline(
    client: FlaskClient, campaign: Campaign, signed_in: tuple[User, Workspace]
) -> None:
    mate = accounts.create_user("mate@example.com", Factory.PASSWORD, "Mate")
    db.session.add(Membership(user_id=mate.id, workspace_id=signed_in[1].id, role=Role.MEMBER))
    db.session.commit()
    client.post(
        f"/campaigns/{campaign.id}/prospects/bulk",
        data={"action": "add", "scope": "selected", "domain": ["site1.com"]},
    )
    assert _pipeline()["site1.com"].owner_id == signed_in[0].id
    response = client.post(
        f"/campaigns/{campaign.id}/prospects/bulk",
        data={"action": "assign", "scope": "selected", "domain": ["site1.com", "site2.com"],
              "owner_id": str(mate.id)},
        follow_redirects=True,
    )  # fmt: skip
    assert "1 prospect(s) assigned; 1 already in the pipeline reassigned" in response.get_data(
        as_text=True
    )
    found = _pipeline()
    assert found["site1.com"].owner_id == found["site2.com"].owner_id == mate.id


def test_assigning_needs_a_member_of_the_workspace(
    client: FlaskClient, campaign: Campaign, factory: Factory
) -> None:
    stranger, _ = factory.user_with_workspace("x@example.com", "Other")
    response = client.post(
        f"/campaigns/{campaign.id}/prospects/bulk",
        data={"action": "assign", "scope": "top", "top": "2", "owner_id": str(stranger.id)},
        follow_redirects=True,
    )
    assert "not a member of this workspace" in response.get_data(as_text=True)
    assert _pipeline() == {}
