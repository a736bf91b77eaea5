"""Sessions can be taken back: each is a server-side record that every request checks."""

from __future__ import annotations

from datetime import timedelta

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select, update

from outreach.accounts.models import UserSession
from outreach.accounts.sessions import token_hash
from outreach.db import utcnow
from outreach.extensions import db
from tests.factories import Factory, SignIn


def _cookie(client: FlaskClient) -> str:
    cookie = client.get_cookie("session")
    assert cookie is not None
    return cookie.value


def _replay(app: Flask, cookie: str) -> FlaskClient:
    """Another browser presenting a copied session cookie."""
    thief = app.test_client()
    thief.set_cookie("session", cookie)
    return thief


def _sid(app: Flask, cookie: str) -> str:
    serializer = app.session_interface.get_signing_serializer(app)  # type: ignore[attr-defined]
    assert serializer is not None
    sid = serializer.loads(cookie)["sid"]
    assert isinstance(sid, str)
    return sid


def test_a_copied_cookie_stops_working_once_its_owner_signs_out(
    app: Flask, client: FlaskClient, auth: SignIn
) -> None:
    auth()
    copied = _cookie(client)
    assert _replay(app, copied).get("/").status_code == 200, "the copy works while signed in"
    client.post("/logout")
    assert client.get("/").status_code == 302
    replayed = _replay(app, copied).get("/campaigns/")
    assert replayed.status_code == 302 and "/login" in replayed.location
    assert db.session.scalar(select(UserSession)) is None


def test_the_database_keeps_only_a_hash_of_the_session_id(
    app: Flask, client: FlaskClient, auth: SignIn
) -> None:
    user, _ = auth()
    sid = _sid(app, _cookie(client))
    stored = db.session.scalars(select(UserSession)).one()
    assert stored.user_id == user.id and stored.token_hash == token_hash(sid)
    assert sid not in stored.token_hash


def test_an_expired_session_signs_nobody_in(app: Flask, client: FlaskClient, auth: SignIn) -> None:
    auth()
    db.session.execute(update(UserSession).values(expires_at=utcnow() - timedelta(seconds=1)))
    db.session.commit()
    assert client.get("/").status_code == 302


def test_sessions_last_the_configured_number_of_days(
    app: Flask, client: FlaskClient, auth: SignIn
) -> None:
    app.config["OUTREACH_SESSION_DAYS"] = 2
    auth()
    stored = db.session.scalars(select(UserSession)).one()
    lifetime = stored.expires_at - stored.created_at
    assert timedelta(days=2) - timedelta(seconds=5) < lifetime <= timedelta(days=2)


def test_a_session_id_held_before_sign_in_is_replaced(
    app: Flask, client: FlaskClient, factory: Factory
) -> None:
    factory.user_with_workspace("owner@example.com", "Acme")
    login = {"email": "owner@example.com", "password": Factory.PASSWORD}
    client.post("/login", data=login)
    first = _sid(app, _cookie(client))
    client.post("/login", data=login)
    second = _sid(app, _cookie(client))
    assert first != second
    assert (
        db.session.scalar(select(UserSession).where(UserSession.token_hash == token_hash(first)))
        is None
    )


def test_a_session_of_another_user_does_not_sign_in_as_this_one(
    app: Flask, client: FlaskClient, auth: SignIn, factory: Factory
) -> None:
    auth()
    other, _ = factory.user_with_workspace("other@example.com", "Other")
    db.session.execute(update(UserSession).values(user_id=other.id))
    db.session.commit()
    assert client.get("/").status_code == 302, "the cookie names the owner, the row someone else"


def test_using_a_session_records_when_it_was_last_seen(
    app: Flask, client: FlaskClient, auth: SignIn
) -> None:
    auth()
    long_ago = utcnow() - timedelta(hours=3)
    db.session.execute(update(UserSession).values(last_seen_at=long_ago))
    db.session.commit()
    client.get("/")
    db.session.expire_all()
    seen = db.session.scalars(select(UserSession)).one().last_seen_at
    assert seen > long_ago + timedelta(hours=2)
