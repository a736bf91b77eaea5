"""Tokens are made and revoked in the browser and on the command line; shown once."""

from __future__ import annotations

import json
import re
from typing import Any

from flask.testing import FlaskClient
from sqlalchemy import select

from outreach.api.models import ApiToken
from outreach.api.tokens import token_hash
from outreach.extensions import db
from tests.api.conftest import Api
from tests.factories import Factory, SignIn

TOKEN = re.compile(r"otk_[A-Za-z0-9_-]{43}")


def test_the_cli_makes_a_working_token(runner: Any, factory: Factory, api: Api) -> None:
    factory.user_with_workspace("cli@example.com", "Agency")
    result = runner.invoke(
        args=["api-token", "create", "CLI@example.com", "--workspace", "Agency", "--json"]
    )
    assert result.exit_code == 0, result.output
    printed = json.loads(result.output)
    assert TOKEN.fullmatch(printed["token"])
    headers = {"Authorization": f"Bearer {printed['token']}"}
    assert api.get("/api/v1/campaigns", None, headers=headers).status_code == 200
    stored = db.session.scalar(select(ApiToken))
    assert stored is not None and stored.token_hash == token_hash(printed["token"])

    listed = runner.invoke(args=["api-token", "list", "cli@example.com", "--json"])
    assert [row["workspace"] for row in json.loads(listed.output)] == ["Agency"]
    assert printed["token"] not in listed.output

    assert runner.invoke(args=["api-token", "revoke", str(printed["id"])]).exit_code == 0
    assert api.get("/api/v1/campaigns", None, headers=headers).status_code == 401


def test_the_cli_refuses_a_non_member(runner: Any, factory: Factory) -> None:
    factory.user_with_workspace("one@example.com", "One")
    factory.user_with_workspace("two@example.com", "Two")
    result = runner.invoke(args=["api-token", "create", "one@example.com", "--workspace", "Two"])
    assert result.exit_code != 0 and "not a member" in result.output
    assert db.session.scalar(select(ApiToken)) is None


def test_a_token_is_made_in_the_browser_and_shown_once(
    client: FlaskClient, auth: SignIn, api: Api
) -> None:
    auth()
    assert client.get("/account").status_code == 200
    response = client.post("/account/api-tokens", data={"name": "Sheets"})
    assert response.status_code == 201
    assert response.headers["Cache-Control"] == "no-store"
    tokens = TOKEN.findall(response.get_data(as_text=True))
    assert len(set(tokens)) == 1
    headers = {"Authorization": f"Bearer {tokens[0]}"}
    assert api.get("/api/v1/campaigns", None, headers=headers).status_code == 200
    again = client.get("/account/api-tokens").get_data(as_text=True)
    assert "Sheets" in again and not TOKEN.search(again)

    stored = db.session.scalar(select(ApiToken))
    assert stored is not None
    response = client.post(f"/account/api-tokens/{stored.id}/revoke")
    assert response.status_code == 302
    assert api.get("/api/v1/campaigns", None, headers=headers).status_code == 401
    assert "revoked" in client.get("/account/api-tokens").get_data(as_text=True)


def test_someone_elses_token_cannot_be_revoked(
    client: FlaskClient, auth: SignIn, factory: Factory
) -> None:
    from tests.api.isolation import _token

    _, theirs = factory.user_with_workspace("them@example.com", "Theirs")
    token_id = _token(factory, theirs)
    auth()
    assert client.post(f"/account/api-tokens/{token_id}/revoke").status_code == 404
    token = db.session.get(ApiToken, token_id)
    assert token is not None and token.revoked_at is None
