""" "Add to pipeline" takes domain names only, a bounded number at a time: junk, huge values
and huge batches are a message on the page, never a 500 (PostgreSQL refuses over-long text)."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select

from outreach.extensions import db
from outreach.prospects.models import Prospect
from outreach.prospects.services import MAX_ADD_BATCH
from tests.factories import Factory, SignIn


def _prospects() -> list[str]:
    db.session.expire_all()
    return sorted(db.session.scalars(select(Prospect.domain)))


def _add(client: FlaskClient, campaign_id: int, domains: list[str]) -> str:
    response = client.post(
        f"/campaigns/{campaign_id}/prospects/add", data={"domain": domains}, follow_redirects=True
    )
    assert response.status_code == 200
    return response.get_data(as_text=True)


@pytest.mark.parametrize(
    "junk",
    [
        "x" * 300,  # over the column's 255 characters: a DataError on PostgreSQL before
        "not a domain",
        "<script>alert(1)</script>",
        "http://example.com/page",
        "127.0.0.1",
        "localhost",
    ],
)
def test_a_value_that_is_not_a_domain_is_a_form_error_and_adds_nothing(
    client: FlaskClient, auth: SignIn, factory: Factory, junk: str
) -> None:
    _, workspace = auth()
    campaign = factory.campaign(workspace)
    page = _add(client, campaign.id, ["good.example.com", junk])
    assert "is not a domain name" in page and "nothing was added" in page
    assert _prospects() == []


def test_a_huge_value_is_echoed_back_short(
    client: FlaskClient, auth: SignIn, factory: Factory
) -> None:
    _, workspace = auth()
    campaign = factory.campaign(workspace)
    page = _add(client, campaign.id, ["y" * 100_000])
    assert "y" * 59 + "…" in page and "y" * 61 not in page


def test_more_domains_than_the_cap_are_refused_whole(
    client: FlaskClient, auth: SignIn, factory: Factory
) -> None:
    _, workspace = auth()
    campaign = factory.campaign(workspace)
    many = [f"site{n}.example.com" for n in range(MAX_ADD_BATCH + 1)]
    page = _add(client, campaign.id, many)
    assert f"at most {MAX_ADD_BATCH:,} domains" in page
    assert db.session.scalar(select(func.count()).select_from(Prospect)) == 0


def test_valid_domains_are_added_lower_cased_once(
    client: FlaskClient, auth: SignIn, factory: Factory
) -> None:
    _, workspace = auth()
    campaign = factory.campaign(workspace)
    page = _add(client, campaign.id, ["Blog.Example.ORG", "blog.example.org.", "bücher.de", ""])
    assert "2 prospect(s) added" in page
    assert _prospects() == ["blog.example.org", "xn--bcher-kva.de"]
