"""``/api/v1/prospects``: the pipeline's filters, creation, ETag/If-Match updates, notes."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from outreach.activity.models import Activity
from outreach.extensions import db
from outreach.prospects.models import Prospect, Stage
from tests.api.conftest import Api, Caller
from tests.factories import Factory
from tests.pipeline.helpers import prospect


def test_list_filters_like_the_pipeline_table(api: Api, owner: Caller, factory: Factory) -> None:
    campaign = factory.campaign(owner.workspace)
    other = factory.campaign(owner.workspace, name="Other")
    prospect(campaign, "mine.example", owner=owner.user, score=80)
    prospect(campaign, "free.example", Stage.QUALIFIED, score=40)
    prospect(campaign, "late.example", due_on=date.today() - timedelta(days=2))
    prospect(other, "elsewhere.example", score=90)

    def domains(query: str) -> list[str]:
        response = api.get(f"/api/v1/prospects?{query}", owner)
        assert response.status_code == 200, response.json
        return [item["domain"] for item in response.json["items"]]

    assert domains(f"campaign_id={campaign.id}") == [
        "mine.example",
        "free.example",
        "late.example",
    ]
    assert domains("") == ["elsewhere.example", "mine.example", "free.example", "late.example"]
    assert domains(f"campaign_id={campaign.id}&owner=me") == ["mine.example"]
    assert domains(f"campaign_id={campaign.id}&owner=none&min_score=30") == ["free.example"]
    assert domains("stage=qualified") == ["free.example"]
    assert domains("due=overdue") == ["late.example"]
    assert domains("q=ELSE") == ["elsewhere.example"]
    assert domains(f"campaign_id={campaign.id}&sort=domain") == [
        "free.example",
        "late.example",
        "mine.example",
    ]
    assert api.get("/api/v1/prospects?stage=nope", owner).status_code == 422


def test_create_read_and_conflict(api: Api, owner: Caller, factory: Factory) -> None:
    campaign = factory.campaign(owner.workspace)
    body = {"campaign_id": campaign.id, "domain": "New-Site.example"}
    response = api.post("/api/v1/prospects", owner, json=body)
    assert response.status_code == 201, response.json
    created = response.json
    assert created["domain"] == "new-site.example" and created["stage"] == "prospect"
    assert response.headers["ETag"] == f'"{created["version"]}"'
    read = api.get(response.headers["Location"], owner)
    assert read.status_code == 200 and read.json["id"] == created["id"]
    assert read.json["contacts"] == []
    again = api.post("/api/v1/prospects", owner, json=body)
    assert again.status_code == 409 and again.content_type == "application/problem+json"
    bad = api.post("/api/v1/prospects", owner, json={"campaign_id": campaign.id, "domain": "x"})
    assert bad.status_code == 422


def test_patch_needs_a_fresh_if_match(
    api: Api, owner: Caller, member: Caller, factory: Factory
) -> None:
    campaign = factory.campaign(owner.workspace)
    item = prospect(campaign, "target.example")
    url = f"/api/v1/prospects/{item.id}"
    etag = api.get(url, owner).headers["ETag"]

    missing = api.call("PATCH", url, owner, json={"stage": "qualified"})
    assert missing.status_code == 428

    moved = api.call(
        "PATCH",
        url,
        owner,
        json={"stage": "qualified", "owner_id": member.user.id, "due_on": "2027-01-15"},
        headers={"If-Match": etag},
    )
    assert moved.status_code == 200, moved.json
    assert moved.json["stage"] == "qualified" and moved.json["owner_id"] == member.user.id
    assert moved.headers["ETag"] != etag

    # A second client still holding the old ETag is refused, and nothing changes.
    stale = api.call("PATCH", url, member, json={"stage": "rejected"}, headers={"If-Match": etag})
    assert stale.status_code == 412
    assert stale.json["type"] == "urn:outreach:problem:stale-version"
    db.session.expire_all()
    assert db.session.get(Prospect, item.id).stage is Stage.QUALIFIED  # type: ignore[union-attr]

    fresh = api.call(
        "PATCH",
        url,
        member,
        json={"stage": "rejected"},
        headers={"If-Match": moved.headers["ETag"]},
    )
    assert fresh.status_code == 200 and fresh.json["stage"] == "rejected"
    actions = db.session.scalars(
        select(Activity.action).where(Activity.subject_id == item.id).order_by(Activity.id)
    ).all()
    assert actions.count("stage_changed") == 2 and "details_changed" in actions

    stranger_owner = api.call(
        "PATCH", url, owner, json={"owner_id": 999999}, headers={"If-Match": fresh.headers["ETag"]}
    )
    assert stranger_owner.status_code == 422


def test_a_note_lands_on_the_timeline(api: Api, owner: Caller, factory: Factory) -> None:
    item = prospect(factory.campaign(owner.workspace), "noted.example")
    response = api.post(f"/api/v1/prospects/{item.id}/notes", owner, json={"text": " Called. "})
    assert response.status_code == 201 and response.json["text"] == "Called."
    note = db.session.scalar(select(Activity).where(Activity.action == "note"))
    assert note is not None and note.detail == {"text": "Called."}
    assert note.actor_id == owner.user.id
    assert api.post(f"/api/v1/prospects/{item.id}/notes", owner, json={}).status_code == 422
