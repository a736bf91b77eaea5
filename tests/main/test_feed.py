"""The home page's activity feed names things and people, and links to them."""

from __future__ import annotations

from flask.testing import FlaskClient

from outreach.activity.services import recent, record
from outreach.extensions import db
from outreach.main.feed import describe
from outreach.prospects.models import Prospect, Stage
from outreach.prospects.stages import move
from tests.factories import Factory, SignIn


def test_a_stage_change_reads_as_a_sentence_with_the_domain_and_the_person(
    client: FlaskClient, auth: SignIn, factory: Factory
) -> None:
    user, workspace = auth()
    user.name = "Ana"
    campaign = factory.campaign(workspace)
    prospect = Prospect(
        workspace_id=workspace.id, campaign_id=campaign.id, domain="cleverhiker.com"
    )
    db.session.add(prospect)
    db.session.flush()
    move(prospect, Stage.REPLIED, actor_id=user.id)
    db.session.commit()
    [item] = [i for i in describe(recent(workspace.id)) if "moved" in i.text]
    assert item.text == "cleverhiker.com moved to Replied by Ana"
    assert item.url == f"/prospects/{prospect.id}"
    page = client.get("/").get_data(as_text=True)
    assert "prospect #" not in page
    assert f'<a href="/prospects/{prospect.id}">cleverhiker.com moved to Replied by Ana</a>' in page


def test_deleted_subjects_fall_back_to_what_the_entry_remembered(factory: Factory) -> None:
    _, workspace = factory.user_with_workspace("owner@example.com", "Acme")
    record(workspace.id, "campaign", 424242, "deleted", {"name": "Old push"}, actor_id=None)
    record(workspace.id, "mailbox", 7, "deleted", {}, actor_id=None)
    db.session.commit()
    texts = [item.text for item in describe(recent(workspace.id))]
    assert "Old push was deleted" in texts
    assert "Mailbox #7 was deleted" in texts
