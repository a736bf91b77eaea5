"""Owners take access back: remove members, change roles, hand over ownership, revoke invitations.
Users change their own password and end their other sessions."""

from __future__ import annotations

import re

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from outreach.accounts import services
from outreach.accounts.models import Invitation, Membership, Role, User, UserSession, Workspace
from outreach.extensions import db
from tests.factories import Factory, SignIn


def _join(workspace: Workspace, email: str, role: Role = Role.MEMBER) -> Membership:
    user = services.create_user(email, Factory.PASSWORD)
    member = Membership(workspace_id=workspace.id, user_id=user.id, role=role)
    db.session.add(member)
    db.session.commit()
    return member


def _browser(app: Flask, email: str, password: str = Factory.PASSWORD) -> FlaskClient:
    browser = app.test_client()
    response = browser.post("/login", data={"email": email, "password": password})
    assert response.status_code == 302, response.data
    return browser


def _sessions(user_id: int) -> int:
    query = select(func.count()).select_from(UserSession).where(UserSession.user_id == user_id)
    return int(db.session.scalar(query) or 0)


def test_a_removed_member_is_out_at_once(app: Flask, client: FlaskClient, auth: SignIn) -> None:
    _, workspace = auth()
    member = _join(workspace, "mate@example.com")
    mate = _browser(app, "mate@example.com")
    assert mate.get("/campaigns/").status_code == 200
    response = client.post(f"/workspace/members/{member.id}/remove")
    assert response.status_code == 302
    assert services.membership(member.user_id, workspace.id) is None
    assert _sessions(member.user_id) == 0
    assert mate.get("/campaigns/").status_code == 302, "their open session is over"


def test_the_last_owner_cannot_be_removed_or_demoted(client: FlaskClient, auth: SignIn) -> None:
    owner, workspace = auth()
    me = services.membership(owner.id, workspace.id)
    assert me is not None
    client.post(f"/workspace/members/{me.id}/remove")
    client.post(f"/workspace/members/{me.id}/role", data={"role": "member"})
    db.session.expire_all()
    assert services.membership(owner.id, workspace.id) is not None
    assert me.role is Role.OWNER


def test_members_cannot_manage_access(app: Flask, auth: SignIn) -> None:
    owner, workspace = auth()
    _join(workspace, "mate@example.com")
    other = _join(workspace, "other@example.com")
    invitation = services.invite(workspace, "new@example.com", Role.MEMBER, owner)
    db.session.commit()
    mate = _browser(app, "mate@example.com")
    me = services.membership(owner.id, workspace.id)
    assert me is not None
    for url, data in (
        (f"/workspace/members/{other.id}/remove", {}),
        (f"/workspace/members/{me.id}/remove", {}),
        (f"/workspace/members/{other.id}/role", {"role": "owner"}),
        (f"/workspace/members/{other.id}/transfer", {}),
        (f"/workspace/invitations/{invitation.id}/revoke", {}),
    ):
        assert mate.post(url, data=data).status_code == 403, url
    db.session.expire_all()
    assert other.role is Role.MEMBER and me.role is Role.OWNER
    assert db.session.get(Invitation, invitation.id) is not None


def test_owner_changes_roles(client: FlaskClient, auth: SignIn) -> None:
    _, workspace = auth()
    member = _join(workspace, "mate@example.com")
    roles = []
    for role in ("owner", "member"):
        client.post(f"/workspace/members/{member.id}/role", data={"role": role})
        db.session.expire_all()
        roles.append(member.role)
    assert roles == [Role.OWNER, Role.MEMBER]


def test_owner_hands_over_ownership(client: FlaskClient, auth: SignIn) -> None:
    owner, workspace = auth()
    member = _join(workspace, "mate@example.com")
    client.post(f"/workspace/members/{member.id}/transfer")
    db.session.expire_all()
    me = services.membership(owner.id, workspace.id)
    assert member.role is Role.OWNER and me is not None and me.role is Role.MEMBER
    refused = client.post(f"/workspace/members/{member.id}/remove")
    assert refused.status_code == 403, "the former owner is now a member"


def test_a_revoked_invitation_link_stops_working(client: FlaskClient, auth: SignIn) -> None:
    owner, workspace = auth()
    invitation = services.invite(workspace, "new@example.com", Role.MEMBER, owner)
    db.session.commit()
    assert "new@example.com" in client.get("/workspace/members").get_data(as_text=True)
    client.post(f"/workspace/invitations/{invitation.id}/revoke")
    client.post("/logout")
    assert client.get(f"/invitations/{invitation.token}").status_code == 404
    joined = client.post(
        f"/invitations/{invitation.token}",
        data={"password": "a new password", "confirm": "a new password"},
    )
    assert joined.status_code == 404
    assert services.find_user("new@example.com") is None


def test_changing_your_password_needs_the_current_one_and_ends_other_sessions(
    app: Flask, client: FlaskClient, auth: SignIn
) -> None:
    owner, _ = auth()
    laptop = _browser(app, "owner@example.com")
    new = {"password": "a brand new password", "confirm": "a brand new password"}
    refused = client.post("/account", data={"current": "a wrong guess", **new})
    assert b"The current password is not right" in refused.data
    assert services.authenticate("owner@example.com", Factory.PASSWORD) is not None
    assert laptop.get("/").status_code == 200
    changed = client.post("/account", data={"current": Factory.PASSWORD, **new})
    assert changed.status_code == 302
    assert client.get("/").status_code == 200, "this browser stays signed in"
    assert laptop.get("/").status_code == 302, "every other session ended"
    assert _sessions(owner.id) == 1
    assert services.authenticate("owner@example.com", "a brand new password") is not None


def test_your_sessions_are_listed_and_the_others_can_be_signed_out(
    app: Flask, client: FlaskClient, auth: SignIn
) -> None:
    owner, _ = auth()
    phone = _browser(app, "owner@example.com")
    laptop = _browser(app, "owner@example.com")
    page = client.get("/account").get_data(as_text=True)
    assert len(re.findall(r"/account/sessions/\d+/end", page)) == 2 and "this browser" in page
    laptop_session = max(s.id for s in db.session.scalars(select(UserSession)))
    client.post(f"/account/sessions/{laptop_session}/end")
    assert laptop.get("/").status_code == 302 and phone.get("/").status_code == 200
    client.post("/account/sessions/end-others")
    assert phone.get("/").status_code == 302 and client.get("/").status_code == 200
    assert _sessions(owner.id) == 1


def test_another_users_session_cannot_be_ended(
    app: Flask, client: FlaskClient, auth: SignIn, factory: Factory
) -> None:
    auth()
    factory.user_with_workspace("other@example.com", "Other")
    other = _browser(app, "other@example.com")
    theirs = db.session.scalars(
        select(UserSession).join(User).where(User.email == "other@example.com")
    ).one()
    assert client.post(f"/account/sessions/{theirs.id}/end").status_code == 404
    assert other.get("/").status_code == 200
