"""Tokens authenticate API calls, and nothing else does; tokens open no page."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from outreach.accounts.access import set_active
from outreach.accounts.models import Membership
from outreach.api.models import ApiToken
from outreach.api.tokens import PREFIX, revoke, token_hash
from outreach.extensions import db
from tests.api.conftest import Api, Caller
from tests.factories import Factory, SignIn


def _problem(response: object, status: int) -> dict[str, object]:
    assert response.status_code == status, response.data  # type: ignore[attr-defined]
    assert response.content_type == "application/problem+json"  # type: ignore[attr-defined]
    body: dict[str, object] = response.json  # type: ignore[attr-defined]
    assert body["status"] == status and body["title"] and body["type"]
    return body


def test_a_token_reads_its_workspace(api: Api, owner: Caller) -> None:
    response = api.get("/api/v1/campaigns", owner)
    assert response.status_code == 200
    assert response.json == {"items": [], "next_cursor": None}


def test_no_token_is_401_with_a_challenge(api: Api) -> None:
    response = api.get("/api/v1/campaigns", None)
    _problem(response, 401)
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_a_session_cookie_alone_does_not_authenticate(
    api: Api, client: FlaskClient, auth: SignIn
) -> None:
    auth()
    assert client.get("/").status_code == 200  # signed in for the pages
    _problem(api.get("/api/v1/campaigns", None), 401)
    _problem(api.post("/api/v1/campaigns", None, json={"name": "x"}), 401)


def test_unknown_and_malformed_tokens_are_401(api: Api, owner: Caller) -> None:
    for header in (
        f"Bearer {PREFIX}{'x' * 43}",
        f"Bearer {owner.token}x",
        "Bearer ",
        f"Basic {owner.token}",
        owner.token,
    ):
        _problem(api.get("/api/v1/campaigns", None, headers={"Authorization": header}), 401)


def test_a_revoked_token_is_401(api: Api, owner: Caller) -> None:
    assert api.get("/api/v1/campaigns", owner).status_code == 200
    token = db.session.get(ApiToken, owner.token_id)
    assert token is not None
    revoke(token)
    db.session.commit()
    _problem(api.get("/api/v1/campaigns", owner), 401)


def test_a_disabled_users_token_is_401(api: Api, owner: Caller) -> None:
    set_active(owner.user, False)
    db.session.commit()
    _problem(api.get("/api/v1/campaigns", owner), 401)
    set_active(owner.user, True)
    db.session.commit()
    assert api.get("/api/v1/campaigns", owner).status_code == 200


def test_a_removed_members_token_is_401(api: Api, member: Caller) -> None:
    assert api.get("/api/v1/campaigns", member).status_code == 200
    found = db.session.scalar(select(Membership).where(Membership.user_id == member.user.id))
    db.session.delete(found)
    db.session.commit()
    _problem(api.get("/api/v1/campaigns", member), 401)


def test_only_the_hash_is_stored_and_use_is_recorded(api: Api, owner: Caller) -> None:
    token = db.session.get(ApiToken, owner.token_id)
    assert token is not None and token.last_used_at is None
    assert token.token_hash == token_hash(owner.token) and owner.token not in token.token_hash
    assert owner.token.startswith(PREFIX) and len(owner.token) >= 40
    api.get("/api/v1/campaigns", owner)
    db.session.expire_all()
    assert db.session.get(ApiToken, owner.token_id).last_used_at is not None  # type: ignore[union-attr]


def test_a_token_does_not_open_the_pages(client: FlaskClient, owner: Caller) -> None:
    response = client.get("/", headers=owner.headers)
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    response = client.get("/campaigns/", headers=owner.headers)
    assert response.status_code in (302, 308)


def test_too_many_calls_are_429_with_retry_after(app: Flask, api: Api, owner: Caller) -> None:
    app.config["OUTREACH_API_RATE_LIMIT"] = "3 per minute"
    for _ in range(3):
        assert api.get("/api/v1/campaigns", owner).status_code == 200
    response = api.get("/api/v1/campaigns", owner)
    body = _problem(response, 429)
    assert 1 <= int(response.headers["Retry-After"]) <= 60
    assert "3 per 1 minute" in str(body["detail"])


def test_the_limit_is_per_token(app: Flask, api: Api, owner: Caller, factory: Factory) -> None:
    from tests.api.conftest import token_for

    app.config["OUTREACH_API_RATE_LIMIT"] = "2 per minute"
    other = token_for(owner.user, owner.workspace, "second")
    for _ in range(2):
        api.get("/api/v1/campaigns", owner)
    assert api.get("/api/v1/campaigns", owner).status_code == 429
    assert api.get("/api/v1/campaigns", other).status_code == 200


def test_an_address_sending_bad_tokens_is_slowed_down_but_its_good_tokens_are_served(
    app: Flask, client: FlaskClient, owner: Caller
) -> None:
    app.config["OUTREACH_API_BAD_TOKEN_LIMIT"] = "3 per minute"
    guess = {"Authorization": f"Bearer {PREFIX}guessed-token"}
    elsewhere = {"REMOTE_ADDR": "192.0.2.7"}
    for _ in range(3):
        _problem(client.get("/api/v1/campaigns", headers=guess), 401)
    response = client.get("/api/v1/campaigns", headers=guess)
    body = _problem(response, 429)
    assert "invalid tokens from this address" in str(body["detail"])
    assert 1 <= int(response.headers["Retry-After"]) <= 60
    assert client.get("/api/v1/campaigns", headers=owner.headers).status_code == 200
    _problem(client.get("/api/v1/campaigns", headers=guess, environ_base=elsewhere), 401)


def test_an_ipv6_sender_is_its_64_block(app: Flask, client: FlaskClient) -> None:
    app.config["OUTREACH_API_BAD_TOKEN_LIMIT"] = "2 per minute"
    guess = {"Authorization": f"Bearer {PREFIX}guessed-token"}
    for host in ("2001:db8:1:2::a", "2001:db8:1:2::b"):  # the same /64, two addresses
        response = client.get(
            "/api/v1/campaigns", headers=guess, environ_base={"REMOTE_ADDR": host}
        )
        _problem(response, 401)
    third = {"REMOTE_ADDR": "2001:db8:1:2:ffff::1"}
    _problem(client.get("/api/v1/campaigns", headers=guess, environ_base=third), 429)
    other = {"REMOTE_ADDR": "2001:db8:1:3::a"}
    _problem(client.get("/api/v1/campaigns", headers=guess, environ_base=other), 401)


def test_good_tokens_do_not_fill_the_bad_token_window(app: Flask, api: Api, owner: Caller) -> None:
    app.config["OUTREACH_API_BAD_TOKEN_LIMIT"] = "2 per minute"
    for _ in range(5):
        assert api.get("/api/v1/campaigns", owner).status_code == 200
