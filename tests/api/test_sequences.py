"""``POST /api/v1/campaigns/{id}/sequence/enrol``: the pages' enrolment, with its skip list."""

from __future__ import annotations

from sqlalchemy import func, select

from outreach.db import utcnow
from outreach.extensions import db
from outreach.pitches import suppression
from outreach.pitches.models import SequenceEnrollment
from outreach.prospects.models import ProspectScore, Stage
from tests.api.conftest import Api, Caller
from tests.factories import Factory
from tests.pitches import builders


def _url(campaign_id: int) -> str:
    return f"/api/v1/campaigns/{campaign_id}/sequence/enrol"


def test_chosen_prospects_are_enrolled_and_the_rest_skipped_with_the_reason(
    api: Api, owner: Caller, factory: Factory
) -> None:
    campaign = builders.campaign_with_sequence(factory, owner.workspace, steps=2)
    box = builders.mailbox(owner.workspace, user_id=owner.user.id)
    fine, _ = builders.prospect(owner.workspace, campaign, "fine.example")
    replied, _ = builders.prospect(
        owner.workspace, campaign, "replied.example", stage=Stage.REPLIED
    )
    blocked, _ = builders.prospect(owner.workspace, campaign, "blocked.example")
    suppression.suppress(owner.workspace.id, "blocked.example", "asked")
    db.session.commit()

    response = api.post(
        _url(campaign.id),
        owner,
        json={"mailbox_id": box.id, "prospect_ids": [fine.id, replied.id, blocked.id]},
    )

    assert response.status_code == 200, response.json
    body = response.json
    assert body is not None
    assert [(e["domain"], e["email"]) for e in body["enrolled"]] == [
        ("fine.example", "editor@fine.example")
    ]
    reasons = {s["domain"]: s["reason"] for s in body["skipped"]}
    assert reasons["replied.example"] == "it is in Replied"
    assert "suppression list" in reasons["blocked.example"]
    assert {s["prospect_id"] for s in body["skipped"]} == {replied.id, blocked.id}
    enrolled = db.session.scalars(select(SequenceEnrollment.prospect_id)).all()
    assert enrolled == [fine.id]


def test_top_takes_the_best_scored(api: Api, owner: Caller, factory: Factory) -> None:
    campaign = builders.campaign_with_sequence(factory, owner.workspace, steps=1)
    box = builders.mailbox(owner.workspace, user_id=owner.user.id)
    for domain, score in [("low.example", 10.0), ("high.example", 90.0), ("mid.example", 50.0)]:
        builders.prospect(owner.workspace, campaign, domain)
        db.session.add(
            ProspectScore(
                workspace_id=owner.workspace.id,
                campaign_id=campaign.id,
                domain=domain,
                score=score,
                scored_at=utcnow(),
            )
        )
    db.session.commit()

    response = api.post(_url(campaign.id), owner, json={"mailbox_id": box.id, "top": 2})

    assert response.status_code == 200, response.json
    assert response.json is not None
    assert sorted(e["domain"] for e in response.json["enrolled"]) == [
        "high.example",
        "mid.example",
    ]


def test_refusals(api: Api, owner: Caller, member: Caller, factory: Factory) -> None:
    campaign = builders.campaign_with_sequence(factory, owner.workspace, steps=1)
    box = builders.mailbox(owner.workspace, user_id=owner.user.id)  # not shared
    prospect, _ = builders.prospect(owner.workspace, campaign, "fine.example")
    other = factory.campaign(owner.workspace)
    elsewhere, _ = builders.prospect(owner.workspace, other, "else.example")
    url = _url(campaign.id)

    both = {"mailbox_id": box.id, "prospect_ids": [prospect.id], "top": 3}
    assert api.post(url, owner, json=both).status_code == 422
    assert api.post(url, owner, json={"prospect_ids": [prospect.id]}).status_code == 422
    theirs = {"mailbox_id": box.id, "prospect_ids": [prospect.id]}
    assert api.post(url, member, json=theirs).status_code == 403
    wrong = {"mailbox_id": box.id, "prospect_ids": [elsewhere.id]}
    assert api.post(url, owner, json=wrong).status_code == 404
    no_steps = {"mailbox_id": box.id, "prospect_ids": [elsewhere.id]}
    assert api.post(_url(other.id), owner, json=no_steps).status_code == 409
    assert db.session.scalar(select(func.count()).select_from(SequenceEnrollment)) == 0
    box.shared = True
    db.session.commit()
    assert api.post(url, member, json=theirs).status_code == 200
