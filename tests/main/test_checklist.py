"""The setup checklist of a new workspace, and a campaign's next step."""

from __future__ import annotations

from flask.testing import FlaskClient

from outreach.backlinks.models import Backlink, DataSource
from outreach.backlinks.records import link_key
from outreach.extensions import db
from outreach.main.checklist import setup_checklist
from outreach.pipeline.next_step import next_step
from outreach.pitches import enrolment, library
from outreach.prospects.models import Stage
from tests.factories import Factory, SignIn
from tests.pipeline.helpers import prospect
from tests.pitches import builders


def _ticks(workspace_id: int, client: FlaskClient) -> list[bool]:
    with client.application.test_request_context("/"):
        return [step.done for step in setup_checklist(workspace_id)]


def _backlink(workspace_id: int, source: str, target: str) -> None:
    page, goal = f"https://{source}/post", f"https://{target}/"
    db.session.add(
        Backlink(
            workspace_id=workspace_id,
            data_source=DataSource.AHREFS,
            link_key=link_key(page, goal),
            source_url=page,
            source_domain=source,
            target_url=goal,
            target_domain=target,
        )
    )
    db.session.commit()


def test_each_step_is_ticked_as_the_workspace_gets_there(
    client: FlaskClient, auth: SignIn, factory: Factory
) -> None:
    user, workspace = auth()
    page = client.get("/").get_data(as_text=True)
    assert "Get started: 0 of 6 done" in page  # the starter templates do not count
    builders.mailbox(workspace)
    campaign = builders.campaign_with_sequence(factory, workspace, steps=1)
    assert _ticks(workspace.id, client) == [True, True, False, False, False, False]
    _backlink(workspace.id, "blog.example", "rival-one.com")
    item = prospect(campaign, "blog.example", Stage.CONTACT_FOUND)
    starter = library.templates_of(workspace.id)[0]
    library.save_template(starter, starter.name, starter.kind, "New subject", starter.body, user.id)
    db.session.commit()
    assert _ticks(workspace.id, client) == [True, True, True, True, True, False]
    assert "Get started: 5 of 6 done" in client.get("/").get_data(as_text=True)
    with_contact, _ = builders.prospect(workspace, campaign, "pitch.example")
    box = builders.mailbox(workspace, from_email="two@ours.example")
    assert enrolment.enrol_prospects(campaign, [item, with_contact], box, None).enrolled
    db.session.commit()
    assert all(_ticks(workspace.id, client))
    assert "Get started" not in client.get("/").get_data(as_text=True)


def test_a_campaign_suggests_its_next_step_until_its_sequence_runs(
    client: FlaskClient, auth: SignIn, factory: Factory
) -> None:
    _, workspace = auth()
    campaign = factory.campaign(workspace, competitors=[])
    with client.application.test_request_context("/"):
        assert next_step(campaign).action == "Add competitors"  # type: ignore[union-attr]
    page = client.get(f"/campaigns/{campaign.id}").get_data(as_text=True)
    assert "Next:" in page and f"/campaigns/{campaign.id}/edit" in page
    campaign = factory.campaign(workspace, name="Second")
    actions = []
    with client.application.test_request_context("/"):
        actions.append(next_step(campaign).action)  # type: ignore[union-attr]
        _backlink(workspace.id, "blog.example", "rival-one.com")
        actions.append(next_step(campaign).action)  # type: ignore[union-attr]
        prospect(campaign, "blog.example", Stage.CONTACT_FOUND)
        actions.append(next_step(campaign).action)  # type: ignore[union-attr]
    assert actions == ["Import backlinks", "Open the link intersect", "Write the sequence"]
