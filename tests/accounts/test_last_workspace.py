"""Landing in the workspace used last, and links into another of one's workspaces."""

from __future__ import annotations

from flask.testing import FlaskClient

from outreach.accounts import services as accounts
from outreach.accounts.models import User
from outreach.extensions import db
from tests.factories import Factory


def _sign_in(client: FlaskClient, email: str = "owner@example.com") -> None:
    response = client.post("/login", data={"email": email, "password": Factory.PASSWORD})
    assert response.status_code == 302


def _current(client: FlaskClient) -> int | None:
    with client.session_transaction() as session:
        value = session.get("workspace_id")
    return int(value) if value is not None else None


def test_sign_in_lands_in_the_workspace_used_last(client: FlaskClient, factory: Factory) -> None:
    user, first = factory.user_with_workspace("owner@example.com", "Acme")
    second = accounts.create_workspace(user, "Beta")
    db.session.commit()
    _sign_in(client)
    client.get("/")
    assert _current(client) == first.id
    client.post(f"/workspaces/{second.id}/switch")
    assert _current(client) == second.id
    client.post("/logout")
    _sign_in(client)
    client.get("/")
    assert _current(client) == second.id
    assert db.session.get(User, user.id).last_workspace_id == second.id  # type: ignore[union-attr]


def test_a_link_into_another_of_my_workspaces_switches_to_it(
    client: FlaskClient, factory: Factory
) -> None:
    user, first = factory.user_with_workspace("owner@example.com", "Acme")
    second = accounts.create_workspace(user, "Beta")
    db.session.commit()
    campaign = factory.campaign(second, name="Beta launch")
    _sign_in(client)
    client.get("/")
    assert _current(client) == first.id
    url = f"/campaigns/{campaign.id}"
    response = client.get(url)
    assert response.status_code == 302 and response.headers["Location"] == url
    assert _current(client) == second.id
    page = client.get(url)
    assert page.status_code == 200
    assert "Switched to the workspace Beta" in page.get_data(as_text=True)


def test_a_link_into_a_workspace_i_do_not_belong_to_is_a_plain_404(
    client: FlaskClient, factory: Factory
) -> None:
    _, mine = factory.user_with_workspace("owner@example.com", "Acme")
    _, theirs = factory.user_with_workspace("other@example.com", "Other")
    campaign = factory.campaign(theirs)
    _sign_in(client)
    foreign = client.get(f"/campaigns/{campaign.id}")
    missing = client.get("/campaigns/999999")
    assert foreign.status_code == missing.status_code == 404
    assert foreign.get_data() == missing.get_data()
    assert _current(client) == mine.id
    assert client.post(f"/campaigns/{campaign.id}/delete", data={}).status_code == 404
