"""The template editor: live preview JSON, errors under their field, test sends, starters."""

from __future__ import annotations

from typing import Any

from flask.testing import FlaskClient
from sqlalchemy import delete, func, select

from outreach.campaigns.models import CampaignKind
from outreach.extensions import db
from outreach.pitches import library, sandbox, starters
from outreach.pitches.models import OutboundMessage
from outreach.prospects.models import ProspectContact
from tests.factories import Factory, SignIn
from tests.pitches import builders
from tests.support.smtp import SmtpServer, free_port

HELLO = 'Hi {{ contact.first_name | default("there") }}'


def _preview(client: FlaskClient, subject: str, body: str, prospect_id: Any = "") -> Any:
    data = {"subject": subject, "body": body, "prospect_id": str(prospect_id)}
    response = client.post("/pitches/templates/preview", data=data)
    assert response.status_code == 200
    return response.get_json()


def test_the_preview_renders_the_text_being_typed_for_the_chosen_prospect(
    client: FlaskClient, auth: SignIn, factory: Factory
) -> None:
    _, workspace = auth()
    campaign = factory.campaign(workspace)
    item, _ = builders.prospect(workspace, campaign, "trails.example", first_name="Ada")
    result = _preview(client, "Idea for {{ prospect.domain }}", HELLO + ",", item.id)
    assert result["subject"] == "Idea for trails.example"
    assert result["body"] == "Hi Ada,"
    assert result["errors"] == {"subject": [], "body": []}
    assert result["without_contact"] is False


def test_without_a_contact_the_defaults_show_and_fields_without_one_are_listed(
    client: FlaskClient, auth: SignIn, factory: Factory
) -> None:
    _, workspace = auth()
    campaign = factory.campaign(workspace)
    item, contact = builders.prospect(workspace, campaign, "nobody.example")
    db.session.execute(delete(ProspectContact).where(ProspectContact.contact_id == contact.id))
    db.session.commit()
    body = HELLO + ", {{ contact.last_name }}"
    result = _preview(client, "Hello", body, item.id)
    assert result["body"] == "Hi there, [contact.last_name is empty]"
    assert result["missing"] == ["contact.last_name"]
    assert result["without_contact"] is True
    bare = _preview(client, "Hello {{ prospect.domain }}", HELLO)
    assert bare["body"] == "Hi there" and bare["missing"] == ["prospect.domain"]


def test_errors_show_under_the_field_they_belong_to(client: FlaskClient, auth: SignIn) -> None:
    auth()
    result = _preview(client, "Hi {{ contact.shoe_size }}", "fine\n{{ config }}")
    assert len(result["errors"]["subject"]) == 1
    assert "contact.shoe_size" in result["errors"]["subject"][0]
    assert result["errors"]["body"] == ["line 2: unknown merge field 'config'"]
    assert result["subject"] == "" and result["problem"]
    page = client.post(
        "/pitches/templates/new",
        data={
            "name": "Bad",
            "kind": "guest_post",
            "subject": "{{ contact.shoe_size }}",
            "body": "x",
        },
    ).get_data(as_text=True)
    subject_errors = page.split('id="subject-errors"', 1)[1].split("</div>", 1)[0]
    assert "contact.shoe_size" in subject_errors
    assert "<small" not in page.split('id="body-errors"', 1)[1].split("</div>", 1)[0]


def test_another_workspaces_prospect_is_not_previewed(
    client: FlaskClient, auth: SignIn, factory: Factory
) -> None:
    auth()
    _, other = factory.user_with_workspace("other@example.com", "Other")
    theirs, _ = builders.prospect(other, factory.campaign(other), "secret.example")
    result = _preview(client, "{{ prospect.domain | default('x') }}", "b", theirs.id)
    assert result["prospect"] is None and result["subject"] == "x"


def test_a_test_goes_to_me_through_the_chosen_mailbox(
    client: FlaskClient, auth: SignIn, factory: Factory, smtp: SmtpServer
) -> None:
    user, workspace = auth()
    box = builders.mailbox(workspace, smtp.port)
    campaign = factory.campaign(workspace)
    item, _ = builders.prospect(workspace, campaign, "trails.example", first_name="Ada")
    response = client.post(
        "/pitches/templates/test",
        data={
            "name": "Draft",
            "kind": "guest_post",
            "subject": "For {{ prospect.domain }}",
            "body": HELLO,
            "mailbox_id": str(box.id),
            "prospect_id": str(item.id),
        },
    )
    assert response.status_code == 200
    assert f"Test sent to {user.email}" in response.get_data(as_text=True)
    [received] = smtp.recorder.received
    assert received.rcpt_tos == [user.email]
    assert received.message["Subject"] == "[Test] For trails.example"
    assert "Hi Ada" in received.message.get_content()
    assert db.session.scalar(select(func.count()).select_from(OutboundMessage)) == 0


def test_a_failed_test_send_says_why(client: FlaskClient, auth: SignIn) -> None:
    _, workspace = auth()
    box = builders.mailbox(workspace, free_port())  # nothing listens there
    response = client.post(
        "/pitches/templates/test",
        data={"name": "D", "kind": "guest_post", "subject": "S", "body": "B", "mailbox_id": box.id},
    )
    assert response.status_code == 502
    assert "The test was not sent: could not connect to 127.0.0.1" in response.get_data(
        as_text=True
    )


def test_a_new_workspace_starts_with_a_starter_library(factory: Factory) -> None:
    _, workspace = factory.user_with_workspace("owner@example.com", "Acme")
    names = {t.name: t for t in library.templates_of(workspace.id)}
    assert set(names) == {name for _, name, _, _ in starters.STARTERS}
    assert {t.kind for t in names.values()} == set(CampaignKind)
    for template in names.values():
        assert sandbox.check_pitch(template.subject, template.body).ok, template.name
        assert template.version == 1
    assert "Follow-up" in names and "Unlinked mention" in names


def test_the_preview_signs_as_the_mailbox_chosen_for_the_test(
    client: FlaskClient, auth: SignIn
) -> None:
    _, workspace = auth()
    builders.mailbox(workspace, from_name="First Sender")
    second = builders.mailbox(workspace, from_name="Second Sender", from_email="two@ours.example")
    body = "Best, {{ sender.name }}"
    assert _preview(client, "Hi", body)["body"] == "Best, First Sender"
    data = {"subject": "Hi", "body": body, "prospect_id": "", "mailbox_id": str(second.id)}
    chosen = client.post("/pitches/templates/preview", data=data).get_json()
    assert chosen["body"] == "Best, Second Sender"
