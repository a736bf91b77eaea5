"""``/api/v1/campaigns``: list, create, read, and delete (owners only)."""

from __future__ import annotations

from outreach.campaigns.models import Campaign
from outreach.extensions import db
from tests.api.conftest import Api, Caller
from tests.factories import Factory


def test_create_list_and_read(api: Api, owner: Caller, stranger: Caller, factory: Factory) -> None:
    factory.campaign(stranger.workspace, name="Not yours")
    body = {
        "name": "Winter",
        "site_domain": "ours.example",
        "competitors": ["Rival.example", "other.example"],
        "topic_keywords": ["tents", "camping"],
        "target_pages": ["https://ours.example/tents"],
    }
    created = api.post("/api/v1/campaigns", owner, json=body)
    assert created.status_code == 201, created.json
    campaign = created.json
    assert campaign["competitors"] == ["other.example", "rival.example"]
    read = api.get(f"/api/v1/campaigns/{campaign['id']}", owner).json
    assert read["topic_keywords"] == ["tents", "camping"]
    assert read["target_pages"] == ["https://ours.example/tents"]
    factory.campaign(owner.workspace, name="Second")
    first = api.get("/api/v1/campaigns?limit=1", owner).json
    assert [c["name"] for c in first["items"]] == ["Winter"]
    rest = api.get(f"/api/v1/campaigns?limit=1&cursor={first['next_cursor']}", owner).json
    assert [c["name"] for c in rest["items"]] == ["Second"] and rest["next_cursor"] is None
    ours = api.post("/api/v1/campaigns", owner, json={**body, "competitors": ["ours.example"]})
    assert ours.status_code == 422


def test_deleting_is_for_owners_only(
    api: Api, owner: Caller, member: Caller, factory: Factory
) -> None:
    campaign = factory.campaign(owner.workspace)
    refused = api.call("DELETE", f"/api/v1/campaigns/{campaign.id}", member)
    assert refused.status_code == 403 and refused.content_type == "application/problem+json"
    assert db.session.get(Campaign, campaign.id) is not None
    assert api.get(f"/api/v1/campaigns/{campaign.id}", member).status_code == 200
    deleted = api.call("DELETE", f"/api/v1/campaigns/{campaign.id}", owner)
    assert deleted.status_code == 204
    db.session.expire_all()
    assert db.session.get(Campaign, campaign.id) is None
