"""Sign-up, sign-in, invitations and password storage."""

from __future__ import annotations

import re

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from werkzeug.test import TestResponse

from outreach.accounts.models import Invitation, Membership, Role, User, Workspace
from outreach.extensions import db
from tests.factories import Factory, SignIn


def _signup(client: FlaskClient, email: str = "first@example.com") -> TestResponse:
    return client.post(
        "/signup",
        data={
            "name": "First",
            "email": email,
            "workspace": "Bright Widgets",
            "password": "long enough pw",
            "confirm": "long enough pw",
        },
    )


def test_first_signup_creates_the_user_and_their_workspace(client: FlaskClient) -> None:
    response = _signup(client)
    assert response.status_code == 302
    user = db.session.scalar(select(User))
    assert user is not None and user.email == "first@example.com"
    member = db.session.scalar(select(Membership))
    assert member is not None and member.role is Role.OWNER
    home = client.get("/")
    assert b"Bright Widgets" in home.data


def test_signup_closes_once_a_user_exists(client: FlaskClient, factory: Factory) -> None:
    factory.user_with_workspace("owner@example.com", "Acme")
    response = _signup(client, "intruder@example.com")
    assert response.status_code == 302 and response.location.endswith("/login")
    assert db.session.scalar(select(User).where(User.email == "intruder@example.com")) is None


def test_login_page_has_email_and_password_fields(client: FlaskClient, factory: Factory) -> None:
    factory.user_with_workspace("owner@example.com", "Acme")
    page = client.get("/login").get_data(as_text=True)
    assert 'name="email"' in page and 'name="password"' in page


def test_login_shows_the_workspace_by_name(client: FlaskClient, factory: Factory) -> None:
    factory.user_with_workspace("owner@example.com", "Acme Rockets")
    response = client.post(
        "/login", data={"email": "OWNER@example.com", "password": Factory.PASSWORD}
    )
    assert response.status_code == 302
    assert "Acme Rockets" in client.get("/").get_data(as_text=True)


def test_wrong_password_is_refused(client: FlaskClient, factory: Factory) -> None:
    factory.user_with_workspace("owner@example.com", "Acme")
    response = client.post(
        "/login", data={"email": "owner@example.com", "password": "nope nope nope"}
    )
    assert response.status_code == 200
    assert b"Wrong e-mail or password" in response.data
    assert client.get("/").status_code == 302


def test_anonymous_visitors_are_sent_to_login(client: FlaskClient) -> None:
    response = client.get("/campaigns/")
    assert response.status_code == 302 and "/login" in response.location


def test_passwords_are_stored_as_scrypt_hashes(app: Flask, factory: Factory) -> None:
    user, _ = factory.user_with_workspace("owner@example.com", "Acme")
    assert user.password_hash.startswith("scrypt:")
    assert Factory.PASSWORD not in user.password_hash


def test_session_cookie_is_httponly_and_lax(client: FlaskClient, factory: Factory) -> None:
    factory.user_with_workspace("owner@example.com", "Acme")
    response = client.post(
        "/login", data={"email": "owner@example.com", "password": Factory.PASSWORD}
    )
    cookie = next(h for k, h in response.headers if k == "Set-Cookie" and h.startswith("session="))
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_owner_invites_a_member_who_joins_with_a_password(
    client: FlaskClient, auth: SignIn
) -> None:
    auth()
    page = client.post("/workspace/members", data={"email": "mate@example.com", "role": "member"})
    link = re.search(r"/invitations/[\w-]{20,}", page.get_data(as_text=True))
    assert link, "the invitation link is shown to the owner"
    client.post("/logout")
    joined = client.post(
        link.group(0),
        data={"name": "Mate", "password": "mates password", "confirm": "mates password"},
    )
    assert joined.status_code == 302
    assert "Acme" in client.get("/").get_data(as_text=True)
    mate = db.session.scalar(select(User).where(User.email == "mate@example.com"))
    assert mate is not None
    membership = db.session.scalar(select(Membership).where(Membership.user_id == mate.id))
    assert membership is not None and membership.role is Role.MEMBER
    assert client.get(link.group(0)).status_code == 404, "an invitation works once"


def test_members_cannot_invite(client: FlaskClient, factory: Factory) -> None:
    _, workspace = factory.user_with_workspace("owner@example.com", "Acme")
    from outreach.accounts import services

    member = services.create_user("member@example.com", Factory.PASSWORD)
    db.session.add(Membership(workspace_id=workspace.id, user_id=member.id, role=Role.MEMBER))
    db.session.commit()
    client.post("/login", data={"email": "member@example.com", "password": Factory.PASSWORD})
    response = client.post("/workspace/members", data={"email": "x@example.com", "role": "owner"})
    assert response.status_code == 403
    assert db.session.scalar(select(Invitation)) is None


def test_user_can_create_and_switch_workspaces(client: FlaskClient, auth: SignIn) -> None:
    auth()
    client.post("/workspaces/new", data={"name": "Second Brand", "site_domain": "second.example"})
    assert "Second Brand" in client.get("/").get_data(as_text=True)
    first = db.session.scalar(select(Workspace).where(Workspace.name == "Acme"))
    assert first is not None
    client.post(f"/workspaces/{first.id}/switch")
    assert "<h1>Acme</h1>" in client.get("/").get_data(as_text=True)


def test_invitation_for_an_existing_account_is_accepted_only_by_a_post(
    client: FlaskClient, factory: Factory
) -> None:
    from outreach.accounts import services

    _, workspace = factory.user_with_workspace("owner@example.com", "Acme")
    other, _ = factory.user_with_workspace("other@example.com", "Other")
    owner = db.session.scalars(select(User).where(User.email == "owner@example.com")).one()
    invitation = services.invite(workspace, "other@example.com", Role.MEMBER, owner)
    db.session.commit()
    url = f"/invitations/{invitation.token}"
    client.post("/login", data={"email": "other@example.com", "password": Factory.PASSWORD})
    page = client.get(url)
    assert page.status_code == 200 and b"Join the workspace" in page.data
    assert services.membership(other.id, workspace.id) is None, "a link scanner's GET joins nobody"
    assert client.post(url).status_code == 302
    assert services.membership(other.id, workspace.id) is not None
