"""Invitations: only the invited account joins, never lands anyone by default, and expires."""

from __future__ import annotations

from datetime import timedelta

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import update

from outreach.accounts import services
from outreach.accounts.models import Invitation, Role, User, Workspace
from outreach.db import utcnow
from outreach.extensions import db
from tests.factories import Factory


def _invite(factory: Factory, invited: str = "victim@example.com") -> tuple[Workspace, str]:
    """An owner's workspace named to sort first, and an invitation link into it."""
    owner, workspace = factory.user_with_workspace("attacker@example.com", "AAA Attacker")
    invitation = services.invite(workspace, invited, Role.MEMBER, owner)
    db.session.commit()
    return workspace, f"/invitations/{invitation.token}"


def _sign_in(client: FlaskClient, email: str) -> None:
    response = client.post("/login", data={"email": email, "password": Factory.PASSWORD})
    assert response.status_code == 302


def test_an_anonymous_post_with_the_link_adds_nobody(client: FlaskClient, factory: Factory) -> None:
    victim, _ = factory.user_with_workspace("victim@example.com", "Victim's brand")
    workspace, link = _invite(factory)
    page = client.get(link)
    assert page.status_code == 200 and b"Sign in as victim@example.com to accept" in page.data
    assert client.post(link).status_code == 403
    assert services.membership(victim.id, workspace.id) is None


def test_another_signed_in_account_cannot_accept(client: FlaskClient, factory: Factory) -> None:
    victim, _ = factory.user_with_workspace("victim@example.com", "Victim's brand")
    factory.user_with_workspace("someone@example.com", "Someone's")
    workspace, link = _invite(factory)
    _sign_in(client, "someone@example.com")
    assert b"You are signed in as" in client.get(link).data
    assert client.post(link).status_code == 403
    assert services.membership(victim.id, workspace.id) is None


def test_the_invited_account_signs_in_through_the_link_and_joins(
    client: FlaskClient, factory: Factory
) -> None:
    victim, _ = factory.user_with_workspace("victim@example.com", "Victim's brand")
    workspace, link = _invite(factory)
    signed_in = client.post(
        f"/login?next={link}", data={"email": "victim@example.com", "password": Factory.PASSWORD}
    )
    assert signed_in.location.endswith(link)
    assert client.post(link).status_code == 302
    assert services.membership(victim.id, workspace.id) is not None
    assert "<h1>AAA Attacker</h1>" in client.get("/").get_data(as_text=True), "current now"


def test_a_workspace_someone_else_opened_is_never_the_default(
    client: FlaskClient, factory: Factory
) -> None:
    factory.user_with_workspace("victim@example.com", "Zed brand")
    _, link = _invite(factory)
    _sign_in(client, "victim@example.com")
    client.post(link)
    client.post("/logout")
    _sign_in(client, "victim@example.com")
    home = client.get("/").get_data(as_text=True)
    assert "<h1>Zed brand</h1>" in home, "lands in their own workspace, not the first by name"


def test_invitations_expire_after_the_configured_days(
    app: Flask, client: FlaskClient, factory: Factory
) -> None:
    app.config["OUTREACH_INVITATION_DAYS"] = 3
    factory.user_with_workspace("owner@example.com", "Acme")
    _sign_in(client, "owner@example.com")
    client.post("/workspace/members", data={"email": "new@example.com", "role": "member"})
    invitation = db.session.scalars(db.select(Invitation)).one()
    lifetime = invitation.expires_at - utcnow()
    assert timedelta(days=3) - timedelta(minutes=1) < lifetime <= timedelta(days=3)
    client.post("/logout")
    link = f"/invitations/{invitation.token}"
    assert client.get(link).status_code == 200
    db.session.execute(update(Invitation).values(expires_at=utcnow() - timedelta(seconds=1)))
    db.session.commit()
    assert client.get(link).status_code == 404
    form = {"password": "a new password", "confirm": "a new password"}
    assert client.post(link, data=form).status_code == 404
    assert db.session.scalar(db.select(User).where(User.email == "new@example.com")) is None


def test_the_default_lifetime_is_seven_days(app: Flask) -> None:
    assert app.config["OUTREACH_INVITATION_DAYS"] == 7
