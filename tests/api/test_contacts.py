"""``/api/v1/prospects/{id}/contacts``: list a prospect's contacts, add one by hand."""

from __future__ import annotations

from sqlalchemy import func, select

from outreach.extensions import db
from outreach.prospects.models import Contact
from tests.api.conftest import Api, Caller
from tests.factories import Factory
from tests.pitches import builders


def test_add_then_list(api: Api, member: Caller, factory: Factory) -> None:
    campaign = factory.campaign(member.workspace)
    prospect, first = builders.prospect(member.workspace, campaign, "trail.example")
    url = f"/api/v1/prospects/{prospect.id}/contacts"

    added = api.post(url, member, json={"email": "ed@trail.example", "first_name": "Ed"})

    assert added.status_code == 201, added.json
    assert added.json is not None and added.json["email"] == "ed@trail.example"
    assert added.json["is_primary"] is False  # the prospect had a primary contact already
    listed = api.get(url, member).json
    assert listed is not None
    assert [(c["email"], c["is_primary"]) for c in listed["items"]] == [
        (first.email, True),
        ("ed@trail.example", False),
    ]
    again = api.post(url, member, json={"email": "ED@trail.example", "last_name": "Stone"})
    assert again.status_code == 200 and again.json is not None
    assert again.json["last_name"] == "Stone"
    assert db.session.scalar(select(func.count()).select_from(Contact)) == 2


def test_invalid_addresses_are_refused(api: Api, owner: Caller, factory: Factory) -> None:
    prospect, _ = builders.prospect(owner.workspace, factory.campaign(owner.workspace))
    url = f"/api/v1/prospects/{prospect.id}/contacts"
    assert api.post(url, owner, json={}).status_code == 422
    refused = api.post(url, owner, json={"email": "not an address"})
    assert refused.status_code == 422
    assert db.session.scalar(select(func.count()).select_from(Contact)) == 1
